import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkLiteralHost, guardedLookup, isLinkLocalOrMetadata, isPrivateAddress, isPrivateHost } from '../../../src/ingest/fetch/network-guard.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.255', '0.0.0.0', '0.1.2.3', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fd00::1', 'fd00:ec2::254', 'fc00::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '[::1]', '64:ff9b::a00:1', '2002:7f00:1::',
    // Issue 15 finding 11: IPv4-translated (SIIT), local-use NAT64, Teredo.
    '::ffff:0:127.0.0.1', '::ffff:0:7f00:1', '::ffff:0:10.0.0.1', '64:ff9b:1::8.8.8.8', '64:ff9b:1:ffff::1', '2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '::ffff:93.184.216.34', '2001:db8::1'])(
    'allows %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('isLinkLocalOrMetadata (refused whatever allowPrivateNetworks says)', () => {
  it.each(['169.254.169.254', '169.254.0.1', '100.100.100.200', 'fe80::1', 'fe80::1%eth0', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:0:169.254.169.254', '64:ff9b::169.254.169.254', '2002:a9fe:a9fe::'])(
    'refuses %s',
    (address) => {
      expect(isLinkLocalOrMetadata(address)).toBe(true);
    },
  );

  it.each(['127.0.0.1', '10.0.0.1', '192.168.1.1', 'fd00::1', '::1', '8.8.8.8', '2606:4700::1111'])('leaves %s to allowPrivateNetworks', (address) => {
    expect(isLinkLocalOrMetadata(address)).toBe(false);
  });
});

describe('isPrivateHost', () => {
  it('is true for localhost and private IP literals in a URL, false for names and public literals', () => {
    expect(isPrivateHost('http://localhost:8080/feed')).toBe(true);
    expect(isPrivateHost('http://app.localhost/feed')).toBe(true);
    expect(isPrivateHost('http://127.0.0.1:3000/rss')).toBe(true);
    expect(isPrivateHost('http://[::1]/rss')).toBe(true);
    expect(isPrivateHost('http://192.168.0.10/rss')).toBe(true);
    expect(isPrivateHost('http://2130706433/rss')).toBe(true); // 127.0.0.1 in decimal, normalized by URL
    expect(isPrivateHost('https://feeds.example.com/rss')).toBe(false);
    expect(isPrivateHost('https://93.184.216.34/rss')).toBe(false);
  });
});

describe('checkLiteralHost', () => {
  it('names the host and the address in the refusal', () => {
    expect(checkLiteralHost('127.0.0.1')?.message).toBe('refused: 127.0.0.1 resolves to private address 127.0.0.1');
    expect(checkLiteralHost('[::1]')?.message).toBe('refused: [::1] resolves to private address ::1');
    expect(checkLiteralHost('feeds.example.com')).toBeNull();
    expect(checkLiteralHost('8.8.8.8')).toBeNull();
  });
});

describe('guardedLookup', () => {
  const fakeDns = (answers: string[]) =>
    ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options.all) callback(null, answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
      else callback(null, answers[0], 4);
    }) as unknown as LookupFunction;
  const ask = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) => {
      (lookup as unknown as (h: string, o: object, cb: (e: Error | null, a: unknown) => void) => void)('feeds.example.com', { all }, (error, address) => resolve({ error, address }));
    });

  it('passes public answers through, in both callback forms', async () => {
    const lookup = guardedLookup(fakeDns(['93.184.216.34']));
    expect(await ask(lookup, false)).toEqual({ error: null, address: '93.184.216.34' });
    expect(await ask(lookup, true)).toEqual({ error: null, address: [{ address: '93.184.216.34', family: 4 }] });
  });

  it('refuses when any answer is private (a rebinding name mixing public and private answers)', async () => {
    const single = await ask(guardedLookup(fakeDns(['127.0.0.1'])), false);
    expect(single.error?.message).toBe('refused: feeds.example.com resolves to private address 127.0.0.1');
    const mixed = await ask(guardedLookup(fakeDns(['93.184.216.34', '169.254.169.254'])), true);
    expect(mixed.error?.message).toBe('refused: feeds.example.com resolves to private address 169.254.169.254');
  });
});
