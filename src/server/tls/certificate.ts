import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { StratusError } from '../../protocol/index.js';

/** The PEM files of the HTTPS listener (`--tls-cert`, `--tls-key`). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A certificate and its key, read and checked to belong together. */
export interface LoadedCertificate {
  cert: Buffer;
  key: Buffer;
  /** A secure context made from them, ready for `server.setSecureContext`. */
  context: SecureContext;
  subject: string;
  validTo: string;
  fingerprint256: string;
}

/**
 * Reads the PEM files and checks them as a TLS handshake would need them: a parsable certificate,
 * a key that parses and matches it. Every failure is a `bad_request` naming the file and the fix.
 */
export function loadCertificate(files: TlsFiles): LoadedCertificate {
  const cert = readPem(files.certFile, '--tls-cert');
  const key = readPem(files.keyFile, '--tls-key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new StratusError('bad_request', `--tls-cert ${files.certFile} holds no PEM certificate (${(error as Error).message}); give the server's certificate, then any intermediates`);
  }
  let context: SecureContext;
  try {
    context = createSecureContext({ cert, key });
  } catch (error) {
    const reason = (error as Error).message;
    const fix = /mismatch/i.test(reason) ? 'the key does not belong to the certificate' : 'the key is not a PEM private key (encrypted keys are not supported)';
    throw new StratusError('bad_request', `--tls-key ${files.keyFile}: ${fix} (${reason})`);
  }
  return { cert, key, context, subject: leaf.subject.replace(/\n/g, ', '), validTo: leaf.validTo, fingerprint256: leaf.fingerprint256 };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new StratusError('bad_request', `${flag} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
