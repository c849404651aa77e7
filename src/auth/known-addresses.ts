/**
 * The client addresses each account has logged in from successfully, kept in the users file
 * (so a gateway restart does not turn the control room into a stranger). The per-account
 * login guard spares these addresses: failures from elsewhere cannot lock the owner out.
 */
import type Database from 'better-sqlite3';

/** Addresses kept per account, the most recent first: a laptop moving through DHCP leases adds rows. */
const KEEP_PER_ACCOUNT = 20;

export class KnownAddresses {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  has(username: string, address: string | undefined): boolean {
    if (!address) return false;
    return (
      this.db
        .prepare<[string, string], { n: number }>(
          'SELECT 1 AS n FROM known_addresses WHERE username = ? AND address = ?',
        )
        .get(username, address) !== undefined
    );
  }

  /** After a successful login of `username` from `address`. */
  remember(username: string, address: string | undefined): void {
    if (!address) return;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO known_addresses (username, address, last_login) VALUES (?, ?, ?)
           ON CONFLICT (username, address) DO UPDATE SET last_login = excluded.last_login`,
        )
        .run(username, address, this.now());
      this.db
        .prepare(
          `DELETE FROM known_addresses WHERE username = ? AND address NOT IN
             (SELECT address FROM known_addresses WHERE username = ? ORDER BY last_login DESC LIMIT ?)`,
        )
        .run(username, username, KEEP_PER_ACCOUNT);
    })();
  }
}
