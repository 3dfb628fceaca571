// Header names of PROTOCOL §2–§3, lower case as Node presents them.
export const HEADER_APP = 'x-stratus-app';
export const HEADER_DEVICE = 'x-stratus-device';
export const HEADER_TIME = 'x-stratus-time';
export const HEADER_NONCE = 'x-stratus-nonce';
export const HEADER_SIGNATURE = 'x-stratus-signature';

/** Seconds a request's time may differ from the server's (PROTOCOL §2). */
export const TIME_WINDOW_SECONDS = 300;
