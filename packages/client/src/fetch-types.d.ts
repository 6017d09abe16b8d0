// The generated client names the DOM's `BodyInit`; under Node's types (no DOM lib) it is undici's.
type BodyInit = import('undici-types').BodyInit;
