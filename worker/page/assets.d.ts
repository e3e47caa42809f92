// Module types for the demo page's files, which wrangler.toml's [[rules]] bundle into the Worker.

/** Text rule: the file's content. */
declare module '*/page/index.html' {
  const text: string;
  export default text;
}
declare module '*/page/api.html' {
  const text: string;
  export default text;
}
declare module '*/page/page.css' {
  const text: string;
  export default text;
}
declare module '*/page/page.js' {
  const text: string;
  export default text;
}
declare module '*/page/api.js' {
  const text: string;
  export default text;
}

/** Data rule: the file's bytes. */
declare module '*/data/sample.png' {
  const data: ArrayBuffer;
  export default data;
}
