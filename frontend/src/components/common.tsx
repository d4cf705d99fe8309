import type { ComponentChildren } from 'preact';
import type { ApiRequestError } from '../api';

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']);

/** The HTTP method as a coloured badge; an unknown method (it comes off the wire) is shown grey. */
export function MethodBadge({ method }: { method: string }) {
  const known = KNOWN_METHODS.has(method) ? method.toLowerCase() : 'other';
  return (
    <span class={`method method-${known}`} data-testid="method">
      {method}
    </span>
  );
}

/** Marks traffic that matches no spec operation. */
export function ShadowBadge() {
  return (
    <span class="kind-shadow" title="matches no operation of any spec">
      shadow
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div class="state state-loading" data-testid="loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

/** What the service said when a request failed, with its messages (a parser's, for a spec). */
export function ErrorBox({ error, title }: { error: ApiRequestError; title?: string }) {
  return (
    <div class="state state-error" data-testid="error" role="alert">
      <strong>{title ?? 'The service refused the request'}</strong>
      {error.status > 0 && <span class="error-status"> (HTTP {error.status})</span>}
      <div class="error-message" data-testid="error-message">
        {error.message}
      </div>
      {error.details.length > 0 && (
        <ul class="error-details" data-testid="error-details">
          {error.details.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children, testId }: { children: ComponentChildren; testId?: string }) {
  return (
    <div class="state state-empty" data-testid={testId ?? 'empty'}>
      {children}
    </div>
  );
}

export function Card({ title, children, testId }: { title: string; children: ComponentChildren; testId?: string }) {
  return (
    <section class="card" data-testid={testId}>
      <h2 class="card-title">{title}</h2>
      {children}
    </section>
  );
}

/** A big figure with its label, for the overview's tiles. */
export function Stat({ label, value, testId, tone }: { label: string; value: string; testId?: string; tone?: 'bad' | 'warn' }) {
  return (
    <div class={`stat${tone ? ` stat-${tone}` : ''}`} data-testid={testId}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}
