/** One printed benchmark figure: `npm run bench` prints name, value and unit per line. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}
