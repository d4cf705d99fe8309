import { describe, expect, it } from 'vitest';
import { errorFromResponse, query, specContentType } from '../src/api';

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
