// Compressed forms of a rendered document, made once at render time so requests never compress.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export interface Encoded {
  gzip: Buffer;
  br: Buffer;
}

/** gzip (level 9) and brotli (quality 11) of the bytes, on the thread pool (the event loop stays free). */
export async function encodeAll(body: Buffer): Promise<Encoded> {
  const [gz, br] = await Promise.all([
    gzipAsync(body, { level: 9 }),
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  ]);
  return { gzip: gz, br };
}
