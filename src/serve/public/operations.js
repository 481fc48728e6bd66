// The operations page: reads the queue, the workers and the dead runs from the operations API
// (src/serve/api/operations.ts) and acts through it with same-origin fetch calls, then reads again.
// Everything the API returns is put in the page as text (textContent), never as markup.
(() => {
  const status = document.getElementById('ops-status');
  const queueTable = document.getElementById('queue');
  const source = queueTable?.dataset.source ?? '';

  function say(message, failed = false) {
    status.textContent = message;
    status.classList.toggle('failed', failed);
  }

  async function api(method, path, body, contentType = 'application/json') {
    const init = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = contentType;
      init.body = contentType === 'application/json' ? JSON.stringify(body) : body;
    }
    const response = await fetch(path, init);
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error ?? `${method} ${path}: HTTP ${response.status}`);
    return answer;
  }

  const utc = (at) => (at ? `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '–');

  function waited(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    if (seconds < 120) return `${Math.round(seconds)} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    return `${Math.round(seconds / 3600)} h`;
  }

  function cell(row, content) {
    const td = document.createElement('td');
    if (content instanceof Node) td.append(content);
    else td.textContent = content === null || content === undefined ? '' : String(content);
    row.append(td);
    return td;
  }

  function button(label, action) {
    const element = document.createElement('button');
    element.type = 'button';
    element.textContent = label;
    element.addEventListener('click', () => act(action));
    return element;
  }

  /** Runs an action, says what it did (or why it failed), and reads everything again. */
  async function act(action) {
    try {
      say(await action());
    } catch (error) {
      say(error.message, true);
    }
    await refresh();
  }

  function fill(table, rows, draw) {
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const entry of rows) {
      const row = body.insertRow();
      draw(row, entry);
    }
    if (rows.length === 0) {
      const row = body.insertRow();
      cell(row, 'none').colSpan = table.tHead.rows[0].cells.length;
    }
  }

  function pauseState(entry) {
    if (!entry.enabled) return 'disabled';
    if (!entry.paused_until) return 'active';
    const until = entry.paused_until === 'infinity' ? 'until resumed' : `until ${utc(entry.paused_until)}`;
    return `paused ${until}${entry.pause_reason ? `: ${entry.pause_reason}` : ''}`;
  }

  const retry = (filter, what) => async () => {
    const { retried } = await api('POST', '/api/runs/dead/retry', filter);
    return `queued ${retried} dead run${retried === 1 ? '' : 's'} ${what} again`;
  };
  const pause = (name, options) => async () => {
    const paused = await api('POST', `/api/sources/${encodeURIComponent(name)}/pause`, options);
    return `paused ${paused.ai_source} ${paused.paused_until === 'infinity' ? 'until resumed' : `until ${utc(paused.paused_until)}`}`;
  };
  const resume = (name) => async () => {
    await api('POST', `/api/sources/${encodeURIComponent(name)}/resume`, {});
    return `resumed ${name}`;
  };

  function drawQueue(row, entry) {
    row.dataset.source = entry.ai_source;
    cell(row, entry.ai_source);
    cell(row, pauseState(entry));
    for (const count of ['eligible', 'delayed', 'running', 'expired_leases', 'done', 'dead']) {
      cell(row, entry[count]).className = 'n';
    }
    cell(row, waited(entry.oldest_eligible_age));
    const actions = cell(row, '');
    if (entry.dead > 0) {
      actions.append(
        button('Retry dead', retry({ ai_source: entry.ai_source }, `of ${entry.ai_source}`)),
        ' ',
      );
    }
    actions.append(
      entry.paused_until
        ? button('Resume', resume(entry.ai_source))
        : button('Pause', pause(entry.ai_source, { reason: 'paused from the dashboard' })),
    );
  }

  function drawWorker(row, entry) {
    cell(row, entry.ai_source);
    cell(row, entry.worker_id);
    cell(row, entry.state);
    cell(row, entry.host);
    cell(row, entry.pid);
    cell(row, entry.version);
    cell(row, utc(entry.started_at));
    cell(row, utc(entry.last_seen_at));
  }

  /** Only a same-origin path (the API's artifact route) becomes an image or a link. */
  const local = (url) => typeof url === 'string' && url.startsWith('/') && !url.startsWith('//');

  function artifacts(entry) {
    const box = document.createElement('div');
    for (const artifact of entry.artifacts) {
      if (!local(artifact.url)) continue;
      if (artifact.file.endsWith('.png')) {
        const image = document.createElement('img');
        image.className = 'artifact';
        image.src = artifact.url;
        image.alt = `screenshot of attempt ${artifact.attempt}`;
        const link = document.createElement('a');
        link.href = artifact.url;
        link.append(image);
        box.append(link);
      } else {
        const link = document.createElement('a');
        link.href = artifact.url;
        link.textContent = `${artifact.file} (attempt ${artifact.attempt})`;
        box.append(link, document.createElement('br'));
      }
    }
    return box;
  }

  function drawDeadRun(row, entry) {
    row.dataset.runId = entry.id;
    cell(row, entry.id);
    cell(row, entry.ai_source);
    cell(row, entry.prompt);
    cell(row, entry.attempts).className = 'n';
    cell(row, entry.last_error ?? '').className = 'error-text';
    cell(row, utc(entry.finished_at));
    cell(row, artifacts(entry));
    cell(row, button('Retry', retry({ run_ids: [entry.id] }, `(run ${entry.id})`)));
  }

  async function refresh() {
    const only = (rows) => (source ? rows.filter((entry) => entry.ai_source === source) : rows);
    const deadQuery = source ? `?ai_source=${encodeURIComponent(source)}` : '';
    try {
      const [queue, workers, dead] = await Promise.all([
        api('GET', '/api/queue'),
        api('GET', '/api/workers'),
        api('GET', `/api/runs/dead${deadQuery}`),
      ]);
      fill(queueTable, only(queue.rows), drawQueue);
      fill(document.getElementById('workers'), only(workers.rows), drawWorker);
      fill(document.getElementById('dead-runs'), dead.rows, drawDeadRun);
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
    } catch (error) {
      say(`could not read the queue: ${error.message}`, true);
    }
  }

  document
    .getElementById('retry-all')
    .addEventListener('click', () =>
      act(retry(source ? { ai_source: source } : {}, source ? `of ${source}` : 'of every source')),
    );

  document.getElementById('pause-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const options = {};
    if (form.until.value) options.until = new Date(form.until.value).toISOString();
    if (form.reason.value.trim()) options.reason = form.reason.value.trim();
    act(pause(form.source.value, options));
  });

  /** The enqueue's answer: how many were added, and each refused row with its line. */
  function showEnqueued(result, lineOf) {
    const box = document.getElementById('enqueue-result');
    box.replaceChildren();
    const summary = document.createElement('p');
    summary.textContent = `added ${result.added} prompt${result.added === 1 ? '' : 's'}`;
    box.append(summary);
    if (result.errors.length === 0) return;
    summary.textContent += `; ${result.errors.length} row${result.errors.length === 1 ? '' : 's'} refused:`;
    const list = document.createElement('ul');
    list.className = 'error';
    for (const error of result.errors) {
      const item = document.createElement('li');
      item.textContent = `line ${lineOf(error.row)}: ${error.message}`;
      list.append(item);
    }
    box.append(list);
  }

  document.getElementById('enqueue-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const category = form.category.value.trim();
    const file = form.file.files[0];
    act(async () => {
      let result;
      let lineOf = (row) => row;
      if (file) {
        const query = category ? `?category=${encodeURIComponent(category)}` : '';
        result = await api('POST', `/api/prompts${query}`, await file.text(), 'text/csv');
      } else {
        // Blank lines are skipped; a refused row is named by its line in the box.
        const lines = form.prompts.value.split(/\r?\n/);
        const kept = lines
          .map((text, index) => ({ text, line: index + 1 }))
          .filter((entry) => entry.text.trim());
        if (kept.length === 0)
          throw new Error('nothing to enqueue: write prompts, one per line, or choose a CSV file');
        const rows = kept.map((entry) => (category ? { text: entry.text, category } : { text: entry.text }));
        result = await api('POST', '/api/prompts', rows);
        lineOf = (row) => kept[row - 1]?.line ?? row;
      }
      showEnqueued(result, lineOf);
      if (result.errors.length === 0) form.reset();
      return `added ${result.added} prompt${result.added === 1 ? '' : 's'}`;
    });
  });

  refresh();
})();
