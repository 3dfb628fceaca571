// A test CA made at test time with the openssl CLI (installed by scripts/ensure-ops-tools.sh when
// missing): CA certificates and server certificates for 127.0.0.1 and localhost, in a temp dir.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/server-process.js';

/** Installs what is missing among `tools` (openssl, systemd-analyze); throws when it cannot. */
export function ensureOpsTools(...tools: string[]): void {
  execFileSync('bash', [join(ROOT, 'scripts/ensure-ops-tools.sh'), ...tools], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export interface Pem {
  certFile: string;
  keyFile: string;
  /** The certificate's PEM text. */
  cert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA named `name`, valid two days. */
export function makeCa(dir: string, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=Stratus test CA ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}

/** A server certificate for 127.0.0.1 and localhost signed by `ca`. */
export function issueServerCert(dir: string, ca: Pem, name: string): Pem {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext]);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
