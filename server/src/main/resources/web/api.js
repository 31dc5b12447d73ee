// Renders /openapi.json as a readable page: each operation with its parameters, request and
// response examples. No dependencies (no Swagger UI, nothing from another host).

const main = document.getElementById("api");

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** Text whose `quoted` parts (the description's Markdown code) become <code>, all as text nodes. */
function rich(tag, text, cls) {
  const e = el(tag, null, cls);
  String(text ?? "").split("`").forEach((part, i) => e.append(i % 2 ? el("code", part) : part));
  return e;
}

function examples(content) {
  const out = [];
  for (const [type, media] of Object.entries(content || {})) {
    if (media.example !== undefined) out.push([type, "example", media.example]);
    for (const [name, ex] of Object.entries(media.examples || {})) out.push([type, name, ex.value]);
  }
  return out;
}

function operation(path, method, op) {
  const section = el("section", null, "op");
  section.id = op.operationId || (method + path);
  const h = el("h3");
  h.append(el("span", method.toUpperCase(), "method"), " " + path);
  section.append(h, rich("p", op.summary));
  if (op.description) section.append(rich("p", op.description, "small"));
  if (op.security) section.append(el("p", "Needs Authorization: Bearer TOKEN (--admin-token).", "small"));
  if (op.parameters && op.parameters.length) {
    const ul = el("ul");
    for (const p of op.parameters) ul.append(rich("li", `${p.name} (${p.in}): ${p.description || p.schema.type}; e.g. ${p.example}`));
    section.append(el("h4", "Parameters"), ul);
  }
  const req = examples(op.requestBody && op.requestBody.content);
  if (req.length) {
    section.append(el("h4", "Request examples"));
    for (const [type, name, value] of req) section.append(el("p", `${name} (${type})`, "small"), el("pre", JSON.stringify(value, null, 2)));
  }
  section.append(el("h4", "Responses"));
  for (const [code, res] of Object.entries(op.responses)) {
    section.append(rich("p", `${code}: ${res.description}`));
    for (const [type, name, value] of examples(res.content)) {
      section.append(el("p", `${name} (${type})`, "small"), el("pre", JSON.stringify(value, null, 2)));
    }
  }
  return section;
}

async function render() {
  try {
    const spec = await (await fetch("/openapi.json")).json();
    const parts = [el("h2", `${spec.info.title} (OpenAPI ${spec.openapi})`), rich("p", spec.info.description)];
    const toc = el("ul");
    const ops = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const a = el("a", `${method.toUpperCase()} ${path}: ${op.summary}`);
        a.href = "#" + (op.operationId || method + path);
        const li = el("li");
        li.append(a);
        toc.append(li);
        ops.push(operation(path, method, op));
      }
    }
    main.replaceChildren(...parts, el("h2", "Endpoints"), toc, ...ops);
  } catch (e) {
    main.replaceChildren(el("p", "Could not read /openapi.json: " + e.message));
  }
}

render();
