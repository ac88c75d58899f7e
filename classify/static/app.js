// The page of `classify serve`. Article text is untrusted: it only ever reaches the page through
// textContent, document.createTextNode and attribute values set by property, never as markup.
"use strict";

const BATCH = 50; // articles per API request, so a large dropped file stays under the body limit
const OPEN_UP_TO = 3; // with more articles than this, each starts folded to its title and tags
const WORD = "[\\p{L}\\p{N}_]";
const GAP = "[^\\p{L}\\p{N}_]+";

const FEED = /\.(rss|atom|xml)$/i;

const state = { articles: [], tags: [], files: [], run: 0 };
const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error("The server did not answer; is `classify serve` still running?");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    throw new Error((data && data.error) || `The server answered ${response.status}.`);
  }
  return data;
}

function postJSON(path, payload) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function setStatus(message) {
  $("status").textContent = message;
}

function summaryOptions() {
  const kind = $("length-kind").value;
  const value = Number($("length-value").value);
  return { [kind]: value, method: $("method").value };
}

function chunks(items) {
  const out = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

function payloadArticles(articles) {
  return articles.map((a) => ({ id: a.id, title: a.title, text: a.text }));
}

async function tagAll(articles) {
  const records = [];
  for (const batch of chunks(articles)) {
    records.push(...(await postJSON("/api/tag", { articles: payloadArticles(batch) })));
  }
  return records;
}

async function summarizeAll(articles) {
  const records = [];
  for (const batch of chunks(articles)) {
    records.push(...(await postJSON("/api/summarize", { articles: payloadArticles(batch), ...summaryOptions() })));
  }
  return records;
}

// --- analysing: tags once per article, summaries again when the settings change ---

async function analyze(articles) {
  const run = ++state.run;
  showError("");
  setStatus(`Reading ${articles.length} article${articles.length === 1 ? "" : "s"}…`);
  $("analyze").disabled = true;
  try {
    const [tags, summaries] = await Promise.all([tagAll(articles), summarizeAll(articles)]);
    if (run !== state.run) return;
    state.articles = articles;
    state.tags = tags;
    render(articles, tags, summaries);
    setStatus(`${articles.length} article${articles.length === 1 ? "" : "s"} tagged and summarized.`);
  } catch (error) {
    if (run === state.run) {
      showError(error.message);
      setStatus("");
    }
  } finally {
    if (run === state.run) $("analyze").disabled = false;
  }
}

async function resummarize() {
  if (!state.articles.length) return;
  const run = ++state.run;
  showError("");
  setStatus("Summarizing…");
  try {
    const summaries = await summarizeAll(state.articles);
    if (run !== state.run) return;
    render(state.articles, state.tags, summaries);
    setStatus("Summaries updated.");
  } catch (error) {
    if (run === state.run) {
      showError(error.message);
      setStatus("");
    }
  }
}

function analyzePasted() {
  const text = $("text").value;
  if (!text.trim()) {
    showError("Paste an article into the text box first.");
    return;
  }
  analyze([{ id: "pasted article", title: $("title").value.trim(), text }]);
}

async function readFiles(files) {
  if (!files.length) {
    showError(`Nothing to read there: the page reads ${$("files").accept.split(",").join(" ")} files.`);
    return;
  }
  const run = ++state.run;
  state.files = files;
  $("digest").hidden = true;
  $("digest-view").replaceChildren();
  showError("");
  setStatus(`Reading ${files.length} file${files.length === 1 ? "" : "s"}…`);
  const articles = [];
  const problems = [];
  for (const file of files) {
    const form = new FormData();
    form.append("files", file, file.name);
    try {
      const data = await api("/api/read", { method: "POST", body: form });
      articles.push(...data.articles);
      problems.push(...data.problems);
    } catch (error) {
      problems.push(error.message);
    }
  }
  if (run !== state.run) return;
  if (articles.length) await analyze(articles);
  else setStatus("");
  if (problems.length) showError(problems.join("\n"));
  if (articles.length > 1 || files.some((file) => FEED.test(file.name))) $("digest").hidden = false;
  if (articles.length && files.some((file) => FEED.test(file.name))) await digestReport();
}

async function digestReport() {
  // The `classify digest` report of the files read last, rendered by the server and shown in a sandboxed frame.
  const form = new FormData();
  for (const file of state.files) form.append("files", file, file.name);
  const sentences = summaryOptions().sentences;  // none asked: the server's default, as the CLI's
  if (sentences) form.append("sentences", String(sentences));
  setStatus("Making the digest report…");
  try {
    const data = await api("/api/digest", { method: "POST", body: form });
    const view = $("digest-view");
    const link = element("a", "", "Open the digest report in its own tab");
    link.href = data.report;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    const frame = element("iframe", "digest-frame");
    frame.title = "Digest report";
    frame.setAttribute("sandbox", "");
    frame.src = data.report;
    view.replaceChildren(element("h2", "", `Digest: ${data.stories} stories from ${data.articles} articles`), link, frame);
    setStatus("Digest report ready.");
  } catch (error) {
    showError(error.message);
    setStatus("");
  }
}

// --- folders: the files `classify tag FOLDER` would read, in the same order ---

function inFolder(path) {
  // A kind the file chooser offers, and no hidden file or folder on the way (as the CLI walks folders).
  const name = path.split("/").pop();
  const suffix = name.includes(".") ? name.slice(name.lastIndexOf(".")).toLowerCase() : "";
  return !path.split("/").some((part) => part.startsWith(".")) && $("files").accept.split(",").includes(suffix);
}

function folderFiles(found) {
  return found.filter(({ path }) => inFolder(path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ file }) => file);
}

async function walk(entry, path, found) {
  if (entry.isFile) {
    found.push({ path: path + entry.name, file: await new Promise((resolve, reject) => entry.file(resolve, reject)) });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, `${path}${entry.name}/`, found);
    }
  }
}

async function dropped(entries, files) {
  // Dropped files are read as they are (a wrong kind gets the server's message); dropped folders are walked.
  if (!entries.some((entry) => entry && entry.isDirectory)) return files;
  const chosen = [];
  for (const entry of entries) {
    if (!entry) continue;
    const found = [];
    await walk(entry, "", found);
    chosen.push(...(entry.isDirectory ? folderFiles(found) : found.map(({ file }) => file)));
  }
  return chosen;
}

// --- drawing one article: tags, reasons, summary, and the text with both highlighted ---

function foldForMatching(text) {
  // Lower case without accents, one UTF-16 unit for one, so positions in the folded text are positions in the text.
  const out = new Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const folded = text[i].normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    out[i] = folded.length === 1 ? folded : text[i];
  }
  return out.join("");
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function termPattern(term) {
  // A model term is one or two lower-case words; stop words the vectorizer dropped may stand between them.
  const words = foldForMatching(term).split(/\s+/).filter(Boolean).map(escapeRegExp);
  const between = `${GAP}(?:${WORD}+${GAP}){0,3}?`;
  return new RegExp(`(?<!${WORD})${words.join(between)}(?!${WORD})`, "gu");
}

function colourOf(record, topic) {
  return Math.max(0, Object.keys(record.scores).indexOf(topic)) % 6;
}

function termRanges(text, record) {
  // One range per matched stretch of text; a term behind several tags names them all.
  const folded = foldForMatching(text);
  const ranges = new Map();
  for (const [topic, terms] of Object.entries(record.reasons || {})) {
    for (const term of terms) {
      for (const match of folded.matchAll(termPattern(term))) {
        if (!match[0].length) continue;
        const key = `${match.index}:${match[0].length}`;
        const known = ranges.get(key);
        if (known) known.topics.push(topic);
        else ranges.set(key, { start: match.index, end: match.index + match[0].length, colour: colourOf(record, topic),
          topics: [topic], term });
      }
    }
  }
  // A phrase claims its words before they do.
  return [...ranges.values()].sort((a, b) => b.end - b.start - (a.end - a.start));
}

function sentenceRanges(text, sentences) {
  // Summary sentences come back in article order with spaces tidied; find each in place, allowing any spacing.
  const ranges = [];
  let from = 0;
  sentences.forEach((sentence, index) => {
    const parts = sentence.trim().split(/[\s\u200b]+/).filter(Boolean).map(escapeRegExp);
    if (!parts.length) return;
    const pattern = new RegExp(parts.join("[\\s\\u200b]+"), "gu");
    pattern.lastIndex = from;
    let match = pattern.exec(text);
    if (!match) {
      pattern.lastIndex = 0;
      match = pattern.exec(text);
    }
    if (match) {
      ranges.push({ start: match.index, end: match.index + match[0].length, index });
      from = match.index + match[0].length;
    }
  });
  return ranges;
}

function highlighted(className, text, terms, sentences) {
  const container = element("div", className);
  const sentenceAt = new Int32Array(text.length).fill(-1);
  const termAt = new Int32Array(text.length).fill(-1);
  for (const range of sentences) sentenceAt.fill(range.index, range.start, range.end);
  terms.forEach((range, index) => {
    // Longest first, whole matches only: a term overlapping one already marked stays unmarked there.
    if (termAt.subarray(range.start, range.end).every((claimed) => claimed < 0)) termAt.fill(index, range.start, range.end);
  });
  let mark = null;
  let i = 0;
  while (i < text.length) {
    let j = i + 1;
    while (j < text.length && sentenceAt[j] === sentenceAt[i] && termAt[j] === termAt[i]) j++;
    const piece = text.slice(i, j);
    let parent = container;
    if (sentenceAt[i] >= 0) {
      if (!mark || mark.dataset.sentence !== String(sentenceAt[i])) {
        mark = element("mark", "summary");
        mark.dataset.sentence = String(sentenceAt[i]);
        container.append(mark);
      }
      parent = mark;
    } else {
      mark = null;
    }
    if (termAt[i] >= 0) {
      const range = terms[termAt[i]];
      const span = element("span", `term t${range.colour}`, piece);
      span.title = `${range.topics.join(", ")}: ${range.term}`;
      parent.append(span);
    } else {
      parent.append(document.createTextNode(piece));
    }
    i = j;
  }
  return container;
}

function tagList(record) {
  const list = element("ul", "tags");
  for (const [topic, score] of Object.entries(record.scores)) {
    const on = record.labels.includes(topic);
    const item = element("li", on ? `tag on t${colourOf(record, topic)}` : "tag");
    item.dataset.topic = topic;
    item.append(element("span", "topic", topic), element("span", "score", score.toFixed(2)));
    item.title = on ? `${topic}: tagged (score ${score})` : `${topic}: not tagged (score ${score})`;
    list.append(item);
  }
  return list;
}

function reasonList(record) {
  const list = element("dl", "reasons");
  for (const [topic, terms] of Object.entries(record.reasons || {})) {
    list.append(element("dt", `t${colourOf(record, topic)}`, `${topic}:`), element("dd", "", terms.join(", ")));
  }
  return list;
}

function renderArticle(article, tagRecord, summaryRecord, open) {
  const box = element("details", "result");
  box.open = open;
  box.dataset.id = article.id;
  const head = element("summary");
  const title = article.title || article.text.trim().split("\n")[0].slice(0, 120);
  head.append(element("h2", "article-title", title), element("span", "article-id", article.id));
  box.append(head, tagList(tagRecord));
  if (tagRecord.labels.length) box.append(reasonList(tagRecord));
  const sentences = summaryRecord.summary;
  const summaryBlock = element("section", "summary-block");
  summaryBlock.append(element("h3", "", `Summary (${summaryRecord.method})`));
  const list = element("ol", "summary-list");
  for (const sentence of sentences) list.append(element("li", "", sentence));
  const notes = summaryRecord.notes || [];
  if (sentences.length) summaryBlock.append(list);
  else if (!notes.length) summaryBlock.append(element("p", "notes", "No sentences to summarize."));
  for (const note of notes) summaryBlock.append(element("p", "notes summary-note", note));
  box.append(summaryBlock);
  if (article.title) box.append(highlighted("article-heading", article.title, termRanges(article.title, tagRecord), []));
  box.append(highlighted("article-text", article.text, termRanges(article.text, tagRecord),
    sentenceRanges(article.text, sentences)));
  return box;
}

function render(articles, tags, summaries) {
  const results = $("results");
  const open = articles.length <= OPEN_UP_TO;
  const boxes = articles.map((article, i) => renderArticle(article, tags[i], summaries[i], open));
  results.replaceChildren(...boxes);
}

// --- settings, the model line, and wiring ---

function describeModel(info) {
  const data = info.training_data || {};
  const metrics = (info.cross_validation && info.cross_validation.metrics) || {};
  const elsewhere = (info.cross_source && info.cross_source.metrics) || {};
  const parts = [`Model topics: ${info.topics.join(", ")}`];
  if (data.articles) parts.push(`trained on ${data.articles} articles (${data.source || "unknown source"})`);
  if (typeof metrics.macro_f1 === "number") parts.push(`cross-validated macro F1 ${metrics.macro_f1.toFixed(2)}`);
  if (typeof elsewhere.macro_f1 === "number") {
    parts.push(`macro F1 ${elsewhere.macro_f1.toFixed(2)} on ${info.cross_source.data}`);
  }
  if (info.dense) {
    const share = Math.round(info.dense.weight * 100);
    parts.push(`scores ${100 - share}% from terms and ${share}% from a word-embedding view: the terms shown explain the first part`);
  }
  $("model").textContent = parts.join(" · ");
}

function lengthKindChanged() {
  const kind = $("length-kind").value;
  const input = $("length-value");
  if (kind === "ratio") {
    Object.assign(input, { min: "0.05", max: "1", step: "0.05", value: "0.2" });
  } else if (kind === "words") {
    Object.assign(input, { min: "1", max: "", step: "10", value: "100" });
  } else {
    Object.assign(input, { min: "1", max: "", step: "1", value: "3" });
  }
  resummarize();
}

function wire() {
  $("analyze").addEventListener("click", analyzePasted);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) analyzePasted();
  });
  $("files").addEventListener("change", (event) => {
    readFiles([...event.target.files]);
    event.target.value = "";
  });
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) {
    document.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    document.addEventListener(name, () => drop.classList.remove("over"));
  }
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    const transfer = event.dataTransfer; // readable only while the event runs
    const entries = [...transfer.items].map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
    dropped(entries, [...transfer.files]).then(readFiles, (error) => showError(`Cannot read the dropped folder: ${error.message}`));
  });
  $("folder").addEventListener("change", (event) => {
    const found = [...event.target.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
    readFiles(folderFiles(found));
    event.target.value = "";
  });
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") $("files").click();
  });
  $("digest").addEventListener("click", digestReport);
  $("length-kind").addEventListener("change", lengthKindChanged);
  $("length-value").addEventListener("change", resummarize);
  $("method").addEventListener("change", resummarize);
  api("/api/model").then(describeModel, (error) => showError(error.message));
}

wire();
