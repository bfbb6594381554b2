// lodash ships no types; the bench page only hands it to benchmark.js (globals.ts).
declare module 'lodash' {
  const lodash: object;
  export default lodash;
}
