import { describe, expect, it } from 'vitest';
import { api, ApiRequestError, errorFromResponse, query, refusalHeadline, specContentType } from '../src/api';

describe('errorFromResponse', () => {
  it('takes the error and the parser messages of a rejected spec', () => {
    const body = JSON.stringify({
      status: 400,
      error: 'not a valid OpenAPI document',
      messages: ['while scanning a simple key at line 3, column 1', 'attribute paths is missing'],
    });
    const e = errorFromResponse(400, 'Bad Request', body);
    expect(e.status).toBe(400);
    expect(e.message).toBe('not a valid OpenAPI document');
    expect(e.details).toEqual(['while scanning a simple key at line 3, column 1', 'attribute paths is missing']);
  });

  it('keeps only string messages', () => {
    const e = errorFromResponse(400, '', JSON.stringify({ error: 'bad', messages: ['one', 2, null, { x: 1 }] }));
    expect(e.details).toEqual(['one']);
  });

  it('falls back to the status line for a body that is not the service error shape', () => {
    const e = errorFromResponse(502, 'Bad Gateway', '<html><body>proxy error</body></html>');
    expect(e.message).toBe('HTTP 502 Bad Gateway');
    expect(e.details).toEqual([]);
  });

  it('says a 413 without a body means too large', () => {
    expect(errorFromResponse(413, 'Request Entity Too Large', '').message).toBe('the file is too large for the service');
  });

  it('uses the messages when the body has no error text', () => {
    const e = errorFromResponse(400, 'Bad Request', JSON.stringify({ status: 400, error: '', messages: ['m'] }));
    expect([e.message, e.details]).toEqual(['HTTP 400', ['m']]);
  });
});

describe('query', () => {
  it('escapes values and leaves out empty ones', () => {
    expect(query({ from: 'now-1h', to: 'now', spec: 'a&b c', host: undefined, q: '' })).toBe('?from=now-1h&to=now&spec=a%26b+c');
    expect(query({ host: null })).toBe('');
  });
});

describe('specContentType', () => {
  it('sends .json as JSON and anything else as YAML', () => {
    expect(specContentType('shop.JSON')).toBe('application/json');
    expect(specContentType('shop.yaml')).toBe('application/yaml');
    expect(specContentType('shop')).toBe('application/yaml');
  });
});

describe('refusalHeadline', () => {
  const parser = "while parsing a flow sequence\n in 'string', line 4, column 12:\n      version: [1.0.0\n               ^";

  it('drops the parser message the headline repeats', () => {
    expect(refusalHeadline(new ApiRequestError(400, `invalid YAML: ${parser}`, [parser]))).toBe('invalid YAML');
  });

  it('keeps a headline that does not end with the first message', () => {
    const e = new ApiRequestError(400, "not an OpenAPI document: no 'openapi: 3.x' field", []);
    expect(refusalHeadline(e)).toBe("not an OpenAPI document: no 'openapi: 3.x' field");
    expect(refusalHeadline(new ApiRequestError(400, 'spec rejected', ['paths is missing']))).toBe('spec rejected');
  });

  it('keeps a headline that is only the message', () => {
    expect(refusalHeadline(new ApiRequestError(400, 'paths is missing', ['paths is missing']))).toBe('paths is missing');
  });
});

describe('api.tlsFront', () => {
  it('puts a hostile server name into one encoded path segment and the kind into the query', async () => {
    const urls: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      urls.push(url);
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    try {
      await api.tlsFront("<script>/x' OR 1=1?#", 'sni', { from: 'now-1h', to: 'now' });
      await api.tlsFront('10.0.0.1:443', 'address', { from: 'now-1h', to: 'now' });
    } finally {
      globalThis.fetch = original;
    }
    expect(urls).toEqual([
      "api/tls/%3Cscript%3E%2Fx'%20OR%201%3D1%3F%23?from=now-1h&to=now",
      'api/tls/10.0.0.1%3A443?from=now-1h&to=now&kind=address',
    ]);
  });
});
