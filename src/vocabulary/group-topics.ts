/**
 * The topics a campus gateway publishes for the group view on the central broker, beside its
 * points and alarm states: its link (retained; the broker's last will says offline) and its
 * summary (retained). Below both the MQTT client that sets the will and the group view.
 */
export const linkTopic = (prefix: string, site: string) => `${prefix}/${site}/link`;
export const summaryTopic = (prefix: string, site: string) => `${prefix}/${site}/summary`;
