import type { DeviceContext, ResponseSigning } from './device-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact body bytes (device API), kept for the signature. */
    rawBody: Buffer | null;
    signing: ResponseSigning | null;
    device: DeviceContext | null;
    /** The X-Stratus-Time of this request's answer. */
    responseTime: number;
  }
}
