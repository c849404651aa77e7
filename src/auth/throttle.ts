/**
 * Failed-login throttling that an attacker cannot turn against an account's owner.
 *
 * - per (account, address): a few free failures, then a doubling wait; only that address
 *   waits, so failures from elsewhere never hold back the owner's machine;
 * - per account, over every address (distributed guessing): the same, with more free
 *   failures, but addresses the account has logged in from before are exempt;
 * - per address: express-rate-limit in router.ts, in front of all this.
 *
 * Each lockout is logged once, when it starts, with the account and the address.
 */
import type { Logger } from 'pino';
import { type BackoffOptions, DEFAULT_BACKOFF, LoginBackoff } from './backoff.js';
import type { KnownAddresses } from './known-addresses.js';

/** Summed over all addresses, so colleagues' typos from new machines do not add up too soon. */
export const DEFAULT_ACCOUNT_BACKOFF: BackoffOptions = { ...DEFAULT_BACKOFF, freeFailures: 10 };

export interface ThrottleOptions {
  /** Per (account, address) pair. */
  pair?: Partial<BackoffOptions>;
  /** Per account, over every address not known for it. */
  account?: Partial<BackoffOptions>;
}

/** One key per pair; the NUL cannot occur in a username or an address. */
const pairKey = (username: string, address: string | undefined) => `${username}\u0000${address ?? ''}`;

export class LoginThrottle {
  private readonly pairs: LoginBackoff;
  private readonly accounts: LoginBackoff;

  constructor(
    now: () => number,
    private readonly known: KnownAddresses,
    private readonly log: Logger,
    options: ThrottleOptions = {},
  ) {
    this.pairs = new LoginBackoff(now, options.pair);
    this.accounts = new LoginBackoff(now, { ...DEFAULT_ACCOUNT_BACKOFF, ...options.account });
  }

  /** How long `username` must wait before trying again from `address`; 0: it may try now. */
  waitMs(username: string, address: string | undefined): number {
    const pair = this.pairs.waitMs(pairKey(username, address));
    const account = this.known.has(username, address) ? 0 : this.accounts.waitMs(username);
    return Math.max(pair, account);
  }

  failed(username: string, address: string | undefined): void {
    if (this.pairs.failed(pairKey(username, address)))
      this.log.warn(
        { username, ip: address, scope: 'address' },
        'login locked: too many failures for this account from this address',
      );
    if (this.accounts.failed(username))
      this.log.warn(
        { username, ip: address, scope: 'account' },
        'login locked: too many failures for this account from many addresses; addresses it logged in from before may still log in',
      );
  }

  /**
   * Clears the pair and remembers the address. The per-account count is left to run out:
   * the owner's success must not reset what an attacker elsewhere has run up.
   */
  succeeded(username: string, address: string | undefined): void {
    this.pairs.succeeded(pairKey(username, address));
    this.known.remember(username, address);
  }
}
