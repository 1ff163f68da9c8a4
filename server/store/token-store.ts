/** Tokens on SQL: only the SHA-256 hash of a token is ever stored. */
import { parseRole } from "../../shared/roles.js";
import type { TokenRecord, TokenStore } from "../http/tokens.js";
import type { Database } from "./sql.js";
import * as st from "./statements/write.js";

export function sqlTokenStore(db: Database, now: () => string): TokenStore {
  return {
    findByHash: async (hash) => {
      const [row] = await db.all(st.selectTokenByHash(db.dialect, hash));
      if (row === undefined || row.revoked_at !== null) return null;
      return {
        id: String(row.id),
        tokenHash: String(row.token_hash).trim(),
        user: String(row.user_name),
        role: parseRole(row.role),
        createdAt: String(row.created_at),
      } satisfies TokenRecord;
    },
    insert: async (record) => {
      await db.run(st.insertToken(db.dialect, { id: record.id, hash: record.tokenHash, user: record.user, role: record.role, createdAt: record.createdAt }));
    },
    revoke: async (id) => (await db.run(st.revokeToken(db.dialect, { id, revokedAt: now() }))).rowsAffected === 1,
  };
}
