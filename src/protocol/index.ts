export * from './config-text.js';
export * from './errors.js';
export * from './grants.js';
export * from './headers.js';
export * from './names.js';
export * from './signing.js';
export * from './wire.js';
export * from './reserved-keys.js';
