import { useState } from 'preact/hooks';
import { api, ApiRequestError, refusalHeadline, type SpecSummary } from '../api';
import { Empty, ErrorBox, Loading } from '../components/common';
import { formatCount, formatInstant, plural } from '../format';
import { useResource } from '../useResource';
import { linkTo, type ViewState } from '../urlState';

interface UploadResult {
  id: number;
  fileName: string;
  action: 'upload' | 'replace';
  outcome: 'pending' | 'ok' | 'error';
  spec?: SpecSummary;
  error?: ApiRequestError;
}

let nextUploadId = 1;

export function Specs({ state }: { state: ViewState }) {
  const [version, setVersion] = useState(0);
  const specs = useResource(`specs:${version}`, () => api.specs());
  const [results, setResults] = useState<UploadResult[]>([]);
  const [dragging, setDragging] = useState(false);

  const track = async (fileName: string, action: UploadResult['action'], send: () => Promise<SpecSummary>) => {
    const id = nextUploadId++;
    setResults((rs) => [{ id, fileName, action, outcome: 'pending' as const }, ...rs].slice(0, 10));
    const update = (patch: Partial<UploadResult>) => setResults((rs) => rs.map((r) => (r.id === id ? { ...r, ...patch } : r)));
    try {
      update({ outcome: 'ok', spec: await send() });
      setVersion((v) => v + 1);
    } catch (e) {
      update({ outcome: 'error', error: e instanceof ApiRequestError ? e : new ApiRequestError(0, String(e), []) });
    }
  };

  const uploadAll = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      void track(file.name, 'upload', () => api.uploadSpec(file));
    }
  };

  return (
    <div>
      <h1 class="view-title">Specs</h1>
      <label
        class={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="spec-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          uploadAll(e.dataTransfer?.files ?? null);
        }}
      >
        <input
          type="file"
          class="visually-hidden"
          accept=".yaml,.yml,.json,application/json,application/yaml"
          multiple
          data-testid="spec-file-input"
          onChange={(e) => {
            uploadAll(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
        <strong>Drop OpenAPI specs here</strong> or <span class="link-like">choose files</span>
        <div class="subtle">OpenAPI 3.x or Swagger 2.0, YAML or JSON. A spec with the name of an existing one replaces it.</div>
      </label>

      {results.length > 0 && (
        <ul class="upload-results" data-testid="upload-results">
          {results.map((r) => (
            <li key={r.id} class={`upload-result upload-${r.outcome}`} data-testid="upload-result" data-outcome={r.outcome}>
              <span class="file-name" data-testid="upload-file-name">
                {r.fileName}
              </span>
              {r.outcome === 'pending' && <span class="subtle"> uploading…</span>}
              {r.outcome === 'ok' && r.spec && (
                <span>
                  {' '}
                  {r.action === 'replace' ? 'replaced' : 'accepted'} as <strong>{r.spec.name}</strong> (version {r.spec.version},{' '}
                  {plural(r.spec.operations, 'operation')})
                  {r.spec.messages.length > 0 && <MessageList messages={r.spec.messages} testId="upload-warnings" />}
                </span>
              )}
              {r.outcome === 'error' && r.error && (
                <div class="upload-error" data-testid="upload-error">
                  <span class="bad" data-testid="upload-headline">
                    rejected{r.error.status ? ` (HTTP ${r.error.status})` : ''}: {refusalHeadline(r.error)}
                  </span>
                  <MessageList messages={r.error.details} testId="upload-messages" />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {specs.error ? (
        <ErrorBox error={specs.error} title="Could not list the specs" />
      ) : !specs.data ? (
        <Loading what="specs" />
      ) : specs.data.length === 0 ? (
        <Empty>No specs yet: every request is a shadow endpoint until a spec describes it.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table specs-table" data-testid="specs-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>API</th>
                <th class="num">Operations</th>
                <th>Bound to</th>
                <th>Uploaded</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {specs.data.map((s) => (
                <SpecRow
                  key={s.name}
                  spec={s}
                  endpointsHref={linkTo({ ...state, spec: s.name }, 'endpoints')}
                  onReplace={(file) => track(file.name, 'replace', () => api.replaceSpec(s.name, file))}
                  onDeleted={() => setVersion((v) => v + 1)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function MessageList({ messages, testId }: { messages: string[]; testId: string }) {
  if (messages.length === 0) return null;
  return (
    <ul class="messages" data-testid={testId}>
      {messages.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

function SpecRow(props: { spec: SpecSummary; endpointsHref: string; onReplace: (file: File) => void; onDeleted: () => void }) {
  const { spec } = props;
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiRequestError | undefined>();

  const remove = async () => {
    try {
      await api.deleteSpec(spec.name);
      props.onDeleted();
    } catch (e) {
      setDeleteError(e instanceof ApiRequestError ? e : new ApiRequestError(0, String(e), []));
      setConfirming(false);
    }
  };

  return (
    <tr data-testid="spec-row" data-spec={spec.name}>
      <td>
        <a href={props.endpointsHref} class="spec-name" data-testid="spec-name">
          {spec.name}
        </a>
        <div class="subtle">version {spec.version}</div>
      </td>
      <td>
        {spec.title ?? <span class="subtle">untitled</span>} <span class="subtle">{spec.apiVersion}</span>
        <div class="subtle">
          {spec.specVersion.startsWith('2') ? 'Swagger' : 'OpenAPI'} {spec.specVersion}
        </div>
        <MessageList messages={spec.messages} testId="spec-messages" />
      </td>
      <td class="num">{formatCount(spec.operations)}</td>
      <td data-testid="spec-hosts">
        {spec.servers.length === 0 ? (
          <span class="subtle">no servers</span>
        ) : (
          <ul class="bindings">
            {spec.servers.map((b, i) => (
              <li key={i} data-testid="spec-host">
                {b.host ? <span class="host">{b.host}</span> : <span class="subtle">any unclaimed host</span>}
                <span class="base-path">{b.basePath || '/'}</span>
              </li>
            ))}
          </ul>
        )}
        {spec.serversOverridden && <div class="subtle">servers overridden at upload</div>}
      </td>
      <td>
        {formatInstant(spec.uploadedAt)}
        <div class="subtle">{spec.source}</div>
      </td>
      <td class="actions">
        <label class="button-quiet" data-testid="spec-replace">
          Replace…
          <input
            type="file"
            class="visually-hidden"
            accept=".yaml,.yml,.json"
            data-testid="spec-replace-input"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) props.onReplace(file);
              e.currentTarget.value = '';
            }}
          />
        </label>
        {confirming ? (
          <>
            <button type="button" class="button-danger" data-testid="spec-delete-confirm" onClick={remove}>
              Delete {spec.name}
            </button>
            <button type="button" class="button-quiet" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" class="button-quiet" data-testid="spec-delete" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
        {deleteError && <ErrorBox error={deleteError} title="Not deleted" />}
      </td>
    </tr>
  );
}
