// The teacher's table of students (ui/class_table.py mounts it; Streamlit serves this file and
// class_table.css from static/, so the dashboard's refresh every few seconds sends only the rows):
// an HTML table, so every name can be read whole.
// The names column is pinned (position: sticky) and wraps a long name onto more lines; the other
// columns scroll sideways inside the table's own box when the screen is narrower than they are.
// Names and every other text go in as text (textContent, title), never as HTML. A click on a row,
// or Enter on its name, sends the student's id back (trigger "open"); a click on a header sorts by
// that column (the sort is kept across the table's refreshes in this browser tab).
// Every word comes translated from Python, in the session's language.

// static/panel_kit.js, at this file's version: the component's mounting, elements
const {element, mounted, svgNode} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export default async function (component) {
  const table = await mounted(component, "class_table.css", "__classTable", (host) => new ClassTable(host));
  if (table) table.load(component.data);
}

class ClassTable {
  constructor(root) {
    this.sort = null; // {key, descending}
    this.scroll = document.createElement("div");
    this.scroll.className = "class-table-scroll";
    this.more = element("p", "class-table-more");  // said only while some columns are out of sight
    root.append(this.scroll, this.more);
    new ResizeObserver(() => this.sayMore()).observe(this.scroll);
  }

  sayMore() {
    this.more.hidden = this.scroll.scrollWidth <= this.scroll.clientWidth + 1;
  }

  load(data) {
    this.data = data;
    const scrolled = this.scroll.scrollLeft, focused = this.scroll.contains(document.activeElement)
      ? document.activeElement.dataset.focus : null;
    const table = element("table", "class-table");
    table.setAttribute("aria-label", data.text.caption);
    table.append(this.head(data.columns), this.body(data));
    this.scroll.replaceChildren(table);
    this.scroll.scrollLeft = scrolled;
    // The table is drawn anew at every refresh: the button a keyboard was on keeps the focus.
    const again = focused && [...table.querySelectorAll("button")].find((button) => button.dataset.focus === focused);
    if (again) again.focus({preventScroll: true});
    this.more.textContent = data.text.more;
    this.sayMore();
  }

  head(columns) {
    const head = element("thead"), row = element("tr");
    for (const column of columns) {
      const cell = element("th", `class-table-${column.kind}`);
      cell.scope = "col";
      cell.title = column.help;
      const button = element("button", "class-table-sort", column.label);
      button.type = "button";
      button.dataset.focus = `sort ${column.key}`;
      if (this.sort && this.sort.key === column.key) {
        cell.setAttribute("aria-sort", this.sort.descending ? "descending" : "ascending");
        const arrow = element("span", "class-table-arrow", this.sort.descending ? " ↓" : " ↑");
        arrow.setAttribute("aria-hidden", "true");  // the header's aria-sort says it to a screen reader
        button.append(arrow);
      }
      button.addEventListener("click", () => {
        const same = this.sort && this.sort.key === column.key;
        this.sort = {key: column.key, descending: same ? !this.sort.descending : column.kind !== "name"};
        this.load(this.data);
      });
      cell.append(button);
      row.append(cell);
    }
    head.append(row);
    return head;
  }

  body(data) {
    const body = element("tbody");
    for (const student of this.sorted(data.rows)) {
      const row = element("tr");
      for (const column of data.columns) row.append(this.cell(column, student.cells[column.key], data, student));
      row.addEventListener("click", () => this.trigger("open", student.id));
      body.append(row);
    }
    return body;
  }

  sorted(rows) {
    if (!this.sort) return rows;
    const {key, descending} = this.sort;
    const value = (row) => row.cells[key].sort;
    return [...rows].sort((a, b) => {
      const x = value(a), y = value(b);
      if (x === null || y === null) return (x === null) - (y === null);  // no value: last either way
      const order = typeof x === "string" ? x.localeCompare(y, this.data.language) : x - y;
      return descending ? -order : order;
    });
  }

  cell(column, value, data, student) {
    if (column.kind === "name") {
      const cell = element("th", "class-table-name");
      cell.scope = "row";
      cell.title = value.text;
      const button = element("button", "class-table-open", value.text);
      button.type = "button";
      button.dataset.focus = `open ${student.id}`;
      button.setAttribute("aria-label", data.text.open.replace("{name}", value.text));
      cell.append(button);
      return cell;
    }
    const cell = element("td", `class-table-${column.kind}`);
    if (column.kind === "active") {
      cell.textContent = value.text;
      cell.title = new Date(value.sort * 1000).toLocaleString(data.language);  // the click's time, on hover
    } else if (column.kind === "loss" && value.values.length > 1) {
      cell.append(sparkline(value.values));
      cell.title = value.text;
    } else {
      cell.textContent = value.text || "–";
    }
    return cell;
  }
}

// The loss over the run as a small line, 0 at the bottom.
function sparkline(values) {
  const width = 56, height = 20;
  const svg = svgNode("svg", {viewBox: `0 0 ${width} ${height}`, width, height, "aria-hidden": "true"});
  const top = Math.max(...values, 1e-9);
  if (values.length > 1) {
    const point = (v, i) => `${(i * (width - 2) / (values.length - 1) + 1).toFixed(1)},`
                            + `${(height - 1 - v / top * (height - 2)).toFixed(1)}`;
    svg.append(svgNode("polyline", {points: values.map(point).join(" ")}));
  }
  return svg;
}
