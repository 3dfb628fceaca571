// The statements of one sync (sync.ts), prepared once per connection by name. Arrays travel as
// parameters and unnest() turns them into rows, so a batch costs one round trip per step.

/**
 * `$1..$4`: app ids, scopes, owners, names. Inserts the missing streams, at the app's seq floor (a
 * stream swept earlier goes on above its old seqs); returns the ids it can see.
 */
export const STREAM_IDS = `
  WITH k AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS k(app_id, scope, owner, name)),
  created AS (
    INSERT INTO streams (app_id, scope, owner, name, head)
    SELECT k.app_id, k.scope, k.owner, k.name, coalesce((SELECT a.stream_seq_floor FROM apps a WHERE a.id = k.app_id), 0) FROM k
    ON CONFLICT (app_id, scope, owner, name) DO NOTHING RETURNING id, app_id, scope, owner, name
  )
  SELECT id, app_id, scope, owner, name FROM created
  UNION ALL
  SELECT s.id, s.app_id, s.scope, s.owner, s.name FROM streams s
  JOIN k ON s.app_id = k.app_id AND s.scope = k.scope AND s.owner = k.owner AND s.name = k.name`;

/** The same lookup without the insert, in a fresh snapshot. */
export const SYNC_IDS = `
  SELECT s.id, s.app_id, s.scope, s.owner, s.name FROM streams s
  JOIN unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS k(app_id, scope, owner, name)
    ON s.app_id = k.app_id AND s.scope = k.scope AND s.owner = k.owner AND s.name = k.name`;

/**
 * `$1..$6`: the messages' stream ids and columns; `$7`, `$8`: the cluster's channel and this node;
 * `$9`: notify only when another node was heard from since then.
 */
export const SYNC_PUBLISH = 'SELECT ord, seq, duplicate FROM stratus_publish($1, $2, $3, $4, $5, $6, $7, $8, $9) ORDER BY ord';

/**
 * Per subscription, in request order: the head, the stored cursor, and the seq `limit` live messages
 * back (only looked for when a new or reset cursor may need it). `$1` stream ids, `$2` limits (0:
 * none), `$3` resets, `$4` device id, `$5` now.
 */
export const SYNC_STATE = `
  SELECT s.head, c.cursor, n.seq AS nth
  FROM unnest($1::bigint[], $2::bigint[], $3::boolean[]) WITH ORDINALITY AS u(id, lim, reset, ord)
  JOIN streams s ON s.id = u.id
  LEFT JOIN cursors c ON c.device_id = $4 AND c.stream_id = u.id
  LEFT JOIN LATERAL (
    SELECT m.seq FROM messages m
    WHERE u.lim > 0 AND (u.reset OR c.cursor IS NULL) AND m.stream_id = u.id AND m.expires_at > $5
    ORDER BY m.seq DESC OFFSET GREATEST(u.lim - 1, 0) LIMIT 1
  ) n ON true
  ORDER BY u.ord`;

/**
 * Stores the changed cursors and reads every page. `$1` device id, `$2` now; `$3`, `$4`: stream ids
 * (ascending) and cursors that moved forward; `$5`, `$6`: those reset; `$7..$9` per subscription:
 * stream id, cursor, page size. A cursor moves backwards only on reset, even when another sync of
 * the same device raced this one on another connection.
 * The streams are share-locked first, so the stream sweep cannot delete one under a new cursor; a
 * stream it deleted since the state was read comes back as a row whose seq is null (sync.ts retries).
 */
export const SYNC_FINISH = `
  WITH live AS (
    SELECT id FROM streams WHERE id = ANY($7::bigint[]) ORDER BY id FOR KEY SHARE
  ), moved AS (
    INSERT INTO cursors (device_id, stream_id, cursor, updated_at)
    SELECT $1::bigint, v.id, v.cursor, $2::bigint FROM unnest($3::bigint[], $4::bigint[]) AS v(id, cursor)
    WHERE v.id IN (SELECT id FROM live) ORDER BY v.id
    ON CONFLICT (device_id, stream_id) DO UPDATE
      SET cursor = GREATEST(cursors.cursor, excluded.cursor), updated_at = excluded.updated_at
  ), reset AS (
    INSERT INTO cursors (device_id, stream_id, cursor, updated_at)
    SELECT $1::bigint, v.id, v.cursor, $2::bigint FROM unnest($5::bigint[], $6::bigint[]) AS v(id, cursor)
    WHERE v.id IN (SELECT id FROM live) ORDER BY v.id
    ON CONFLICT (device_id, stream_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
  )
  SELECT u.ord, m.seq, m.value, m.writer, m.time, m.expires_at AS "expiresAt"
  FROM unnest($7::bigint[], $8::bigint[], $9::bigint[]) WITH ORDINALITY AS u(id, after, size, ord)
  CROSS JOIN LATERAL (
    SELECT seq, value, writer, time, expires_at FROM messages
    WHERE stream_id = u.id AND seq > u.after AND expires_at > $2 ORDER BY seq LIMIT u.size
  ) m
  UNION ALL
  SELECT u.ord, NULL, NULL, NULL, NULL, NULL FROM unnest($7::bigint[]) WITH ORDINALITY AS u(id, ord)
  WHERE u.id NOT IN (SELECT id FROM live)
  ORDER BY 1, 2`;
