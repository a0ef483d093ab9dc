/** Node's `Buffer` for the browser bundle (esbuild `inject`): the reference code uses it for base64 and UTF-8. */
export { Buffer } from 'buffer';
