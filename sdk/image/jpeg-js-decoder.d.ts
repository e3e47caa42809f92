// jpeg-js's decoder alone (its package entry also bundles the encoder, which the SDK does not use).
declare module 'jpeg-js/lib/decoder.js' {
  import { decode } from 'jpeg-js';
  export default decode;
}
