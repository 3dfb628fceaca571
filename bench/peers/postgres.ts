import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Runs `work` with the URL of a fresh database created in the cluster `clusterUrl` points at (its
 * user needs CREATEDB), and drops it afterwards: every benchmark starts from an empty schema.
 */
export async function withFreshDatabase<T>(clusterUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `stratus_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: clusterUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  }
}
