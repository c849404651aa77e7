// `node --import <this>`: every module the process loads (its URL) is appended, one a line, to
// the file named by PLANTWATCH_MODULES_FILE — what a command really loads, checked by tests.
import { register } from 'node:module';

register(new URL('./record-modules-hooks.mjs', import.meta.url), {
  data: process.env.PLANTWATCH_MODULES_FILE,
});
