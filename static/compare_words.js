// The Compare panel's words (static/compare_panel.js places them): the table of the runs, the note under
// it, the reading and the captions. Every word and every number here comes made and translated from
// Python (ui/compare_views.py, ui/compare_reading.py); this file only builds the nodes. **bold** is the
// one piece of markdown the sentences use; it becomes <strong>, and nothing is parsed as HTML.

// Text with **bold** parts as nodes: text nodes and <strong>.
export function rich(text) {
  return String(text ?? "").split(/\*\*(.+?)\*\*/g).map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const strong = document.createElement("strong");
    strong.textContent = part;
    return strong;
  });
}

function swatch(element, colour) {
  const mark = element("span", "cp-swatch", "■■");
  mark.style.color = colour;
  mark.setAttribute("aria-hidden", "true");
  return mark;
}

// One row per run: colour and name (and "stopped"), α, training and test accuracy, silent units, its link.
// In a region of its own that scrolls sideways on a phone and takes the keyboard's arrows.
export function table(common, host, table, label) {
  const {element} = common;
  const head = element("tr");
  table.headers.forEach((words, column) => {
    const cell = element("th", column >= 1 && column <= 4 ? "cp-number" : "", words);
    cell.scope = "col";
    head.appendChild(cell);
  });
  const body = element("tbody");
  for (const [colour, name, stopped, rate, train, test, units, linkText, link] of table.rows) {
    const row = element("tr");
    const first = element("td");
    first.append(swatch(element, colour), " ", element("strong", "", name));
    if (stopped) first.append(" · ", element("strong", "", stopped));
    row.appendChild(first);
    for (const words of [rate, train, test, units]) row.appendChild(element("td", "cp-number", words));
    const last = element("td");
    if (link) {
      const anchor = element("a", "", linkText);
      anchor.href = link;
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
      last.appendChild(anchor);
    } else {
      last.textContent = linkText;
    }
    row.appendChild(last);
    body.appendChild(row);
  }
  const thead = element("thead");
  thead.appendChild(head);
  const grid = element("table");
  grid.append(thead, body);
  const scroll = element("div", "cp-table-scroll");
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", label);
  scroll.tabIndex = 0;
  scroll.appendChild(grid);
  host.replaceChildren(scroll);
}

// How to begin (an information box), or why the curves wait while an epoch runs (a caption); or nothing.
export function note(common, host, note) {
  host.hidden = !note;
  if (!note) return host.replaceChildren();
  host.className = note.kind === "info" ? "sp-note cp-note-box" : "sp-caption cp-note-box";
  host.setAttribute("role", note.kind === "info" ? "note" : "status");
  host.replaceChildren(...rich(note.text));
}

// "What the numbers show" and its sentences as a list; nothing when there are none.
export function reading(common, host, title, sentences) {
  const {element} = common;
  host.hidden = !(sentences && sentences.length);
  if (host.hidden) return host.replaceChildren();
  const list = element("ul", "cp-sentences");
  for (const sentence of sentences) {
    const item = element("li");
    item.append(...rich(sentence));
    list.appendChild(item);
  }
  const heading = element("p", "cp-reading-title");
  heading.appendChild(element("strong", "", title));
  host.replaceChildren(heading, list);
}

// A caption, hidden when there is none.
export function caption(host, text) {
  host.hidden = !text;
  host.textContent = text || "";
}
