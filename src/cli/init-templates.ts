/**
 * The files `plantwatch init` writes: a small site that is safe as written. Nothing listens
 * beyond this machine, no account or password is in a file, and every secret comes from the
 * environment (or a file) without a default, so a missing one stops the gateway by name.
 * The power meter's profile is copied from config/profiles (init.ts), not repeated here.
 */

/** Variables the written configuration needs, and what each holds. */
export const INIT_VARIABLES: readonly { name: string; holds: string }[] = [
  {
    name: 'PLANTWATCH_ADMIN_PASSWORD',
    holds: 'the first admin\'s password (user "chief", created at the first start; 10 characters or more)',
  },
  {
    name: 'PLANTWATCH_MQTT_VIEWER_PASSWORD',
    holds: 'the read-only MQTT user "viewer" (a BMS, mosquitto_sub)',
  },
  { name: 'PLANTWATCH_SMTP_HOST', holds: "the hospital's mail server, for alarm e-mails" },
  { name: 'PLANTWATCH_SMTP_USER', holds: "the gateway's login on the mail server" },
  { name: 'PLANTWATCH_SMTP_PASSWORD', holds: 'its password' },
];

/** The profile copied into profiles/ from the repository's config/profiles. */
export const INIT_PROFILE = 'power-meter';

const plantwatchYaml = `# Plantwatch gateway settings: a production starting point written by \`plantwatch init\`.
# Secrets are never written here: \${VAR} reads the environment, \${file:/run/secrets/x} a file
# (Docker secrets, systemd credentials). Neither has a default, so the gateway refuses to start,
# naming the variable, until it is set. config/README.md ("Production") has the details.
gateway:
  name: plantwatch            # FILL IN: this gateway's name in logs and alerts
  site: main
web:
  # This machine only. To serve the hospital's PCs and phones, put a TLS reverse proxy in front
  # (trustProxy: loopback) or write host: 0.0.0.0: listening on the network is a choice made here.
  host: 127.0.0.1
  port: 8080
  # FILL IN: the dashboard's address as the hospital opens it; alarm e-mails link there.
  # publicUrl: https://plant.hospital.example
  metricsPublic: false
auth:
  enabled: true
  users: data/users.db
  demoAccounts: false
  # The first admin, created at the first start with the password in PLANTWATCH_ADMIN_PASSWORD;
  # then everyone else with \`plantwatch user add <name> --role electrician|energy-manager|admin\`.
  bootstrapAdmin: { username: chief, passwordEnv: PLANTWATCH_ADMIN_PASSWORD }
  # secureCookies: true       # once the dashboard is served over https
# MQTT: meters that publish (water meters' bridges) and every point republished for a BMS.
# Delete this whole section if nothing here uses MQTT: without it no broker is opened.
mqtt:
  broker:
    mode: embedded
    host: 127.0.0.1           # 0.0.0.0 once meters on the network must reach it
    port: 1883
    users:
      # Read-only access to the republished points. A meters' bridge would get its own user
      # with publish: [meters/#], and its own password variable.
      - username: viewer
        password: "\${PLANTWATCH_MQTT_VIEWER_PASSWORD}"
        subscribe: [plantwatch/#]
  republish: { enabled: true, prefix: plantwatch, retain: true }
# Time series in an embedded SQLite file: no server to run. For a central InfluxDB 1.x instead:
#   backend: influxdb
#   influxdb:
#     host: 10.0.0.5            # FILL IN
#     protocol: https
#     ca: "\${file:/etc/plantwatch/influx-ca.pem}"
#     database: plantwatch
#     username: plantwatch
#     password: "\${PLANTWATCH_INFLUX_PASSWORD}"
# and have an InfluxDB admin run what \`plantwatch influx-schema -c <this dir>\` prints.
storage:
  backend: sqlite
  sqlite: { path: data/plantwatch.db, rawRetention: 90d, rollup1mRetention: 400d }
  spool: { path: data/spool.db }
records: { path: data/records.db, autoWorkOrders: [critical] }
log:
  level: info
`;

const siteYaml = `# The plant's places: sites, their buildings, each building's rooms. FILL IN names and ids
# (ids are short, without spaces: devices and alarm rules name them).
sites:
  - id: main
    name: { en: Main Hospital, zh: 总院 }
    buildings:
      - id: inpatient
        name: { en: Inpatient Building, zh: 住院楼 }
        rooms:
          - { id: dr1, name: { en: Distribution Room 1 (LV), zh: 1号低压配电房 }, kind: distribution-room, ratedKva: 2500 }
`;

const linesYaml = `# Modbus lines: one per gateway socket (tcp, rtu-over-tcp) or serial port (rtu).
# Every device behind a line shares it, one request at a time.
lines:
  - id: dr1-gateway
    name: { en: DR1 Modbus gateway, zh: 1号配电房 Modbus 网关 }
    transport: tcp
    host: 192.0.2.10          # FILL IN: the Modbus TCP gateway's address
    port: 502
    timeout: 1s
    retries: 1
  # A serial line on this machine instead:
  # - { id: rs485-1, transport: rtu, path: /dev/ttyUSB0, baudRate: 9600, parity: none }
`;

const devicesYaml = `# The devices: which profile (profiles/), where they are (site.yaml) and how they are reached
# (lines.yaml). FILL IN the unit id from the meter's panel and its asset data.
devices:
  - id: dr1-incomer
    name: { en: DR1 Incomer, zh: 1号配电房进线 }
    profile: ${INIT_PROFILE}
    site: main
    building: inpatient
    room: dr1
    critical: true            # its silence is a critical alarm
    modbus: { line: dr1-gateway, unitId: 1 }
    asset: { maker: Generic, model: PM-3000 }   # FILL IN: number, serial, installed, location
`;

const alarmsYaml = `# Alarm rules (config/README.md, "Alarms"). Each rule watches one device (device), a list
# (devices) or every device of a profile (profile). Priorities: critical, high, medium, low.
settings:
  timezone: Asia/Shanghai     # FILL IN: the plant's IANA time zone
  journal: data/alarms.db
rules:
  - id: incomer-comm-loss
    profile: ${INIT_PROFILE}
    where: { critical: true }
    type: comm-loss
    after: 30s
    priority: critical
    message:
      en: "{deviceName}: no data for {value} s ({room}) — check the meter, its line and gateway"
      zh: "{deviceName}：{value} 秒无数据（{room}）——请检查仪表、通信线路和网关"
  - id: phase-voltage
    profile: ${INIT_PROFILE}
    type: expression
    inputs: { l1: voltage_l1, l2: voltage_l2, l3: voltage_l3 }
    when: "max(l1, l2, l3) > 253 or min(l1, l2, l3) < 207"   # 230 V ± 10 %
    onDelay: 10s
    offDelay: 30s
    priority: high
    message:
      en: "{deviceName}: phase voltage out of 207–253 V (L1 {value} V)"
      zh: "{deviceName}：相电压超出 207–253 V（A相 {value} V）"
  - id: power-factor-low
    profile: ${INIT_PROFILE}
    type: low
    point: power_factor
    limit: 0.85
    deadband: 0.02
    onDelay: 5m
    priority: medium
    message:
      en: "{deviceName}: power factor {value} below {limit}"
      zh: "{deviceName}：功率因数 {value} 低于 {limit}"
`;

const notifyYaml = `# Who is told, how and when (config/README.md, "Notifications"). E-mail through the
# hospital's SMTP server; its host and login come from the environment.
timezone: Asia/Shanghai       # FILL IN: the plant's IANA time zone
lang: en                      # or zh
channels:
  email:
    host: "\${PLANTWATCH_SMTP_HOST}"
    port: 587
    secure: false             # STARTTLS on 587; true for port 465
    from: "Plantwatch <plantwatch@hospital.example>"   # FILL IN
    auth:
      user: "\${PLANTWATCH_SMTP_USER}"
      pass: "\${PLANTWATCH_SMTP_PASSWORD}"
people:
  # FILL IN: the people on duty and their addresses.
  - { id: duty-electrician, name: { en: Electrician on duty, zh: 值班电工 }, email: duty.electrician@hospital.example }
teams:
  - id: electricians
    name: { en: Electricians on duty, zh: 值班电工 }
    equipment: [power-meter]
    always: [duty-electrician]
routing:
  critical: { channels: [email] }
  high: { channels: [email] }
  medium: { channels: [email] }
  low: { channels: [] }       # on the dashboard only
`;

/** Each file by its path under the new directory. */
export const INIT_FILES: Readonly<Record<string, string>> = {
  'plantwatch.yaml': plantwatchYaml,
  'site.yaml': siteYaml,
  'lines.yaml': linesYaml,
  'devices/devices.yaml': devicesYaml,
  'alarms.yaml': alarmsYaml,
  'notify.yaml': notifyYaml,
};
