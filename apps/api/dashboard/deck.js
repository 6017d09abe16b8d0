// The deck drawing: an SVG of the layout's resource tree (as `GET /deck-layouts/{id}/render`
// serializes it), seen from above, with tips present or not and wells coloured by volume. It keeps
// the tree and the state, so `deck.state` events (only what changed, or the whole deck after a
// restore) update single elements, and labware moved by a gripper is redrawn where it went.

const SVG = 'http://www.w3.org/2000/svg';
const DRAWN = new Set(['tip_carrier', 'plate_carrier', 'carrier', 'trash', 'plate', 'tip_rack', 'trough', 'tube_rack', 'petri_dish', 'lid']);

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Empty wells are pale, full ones deep blue; in between, a straight blend. */
export function volumeColour(volume, maxVolume) {
  const f = maxVolume > 0 ? Math.max(0, Math.min(1, volume / maxVolume)) : 0;
  if (volume <= 0) return '#f3f5f8';
  const from = [198, 222, 250];
  const to = [20, 82, 184];
  const c = from.map((a, i) => Math.round(a + (to[i] - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

const round = (n) => Math.round(n * 10) / 10;

export class DeckView {
  /** `layout`: the serialized deck; `resources`: `{ name: { hasTip } | { volume } }` (GET /decks/{id}/state). */
  constructor(container, layout, resources) {
    this.container = container;
    this.layout = structuredClone(layout);
    this.resources = { ...resources };
    this.elements = new Map();
    this.draw();
  }

  /** Applies a `deck.state` event's payload. */
  apply(payload) {
    if (payload.restored) this.resources = {};
    Object.assign(this.resources, payload.resources ?? {});
    if (payload.moves?.length) {
      for (const m of payload.moves) this.move(m);
      this.draw();
      return;
    }
    for (const [name, state] of Object.entries(payload.resources ?? {})) this.paint(name, state);
    if (payload.restored) this.draw();
  }

  /** Replaces the state wholesale (a fresh `GET /decks/{id}/state`). */
  reset(resources) {
    this.resources = { ...resources };
    for (const [name, state] of Object.entries(this.resources)) this.paint(name, state);
  }

  move({ resource, parent, location }) {
    const found = this.find(this.layout, resource);
    if (!found) return;
    found.parent.children = found.parent.children.filter((c) => c !== found.node);
    const target = parent ? this.find(this.layout, parent) : null;
    if (!target || !location) return; // held by the gripper: off the deck for now
    found.node.location = location;
    target.node.children.push(found.node);
  }

  find(node, name, parent = null) {
    if (node.name === name) return { node, parent };
    for (const c of node.children ?? []) {
      const hit = this.find(c, name, node);
      if (hit) return hit;
    }
    return null;
  }

  draw() {
    this.elements.clear();
    const deck = this.layout;
    const boxes = [];
    // Absolute positions (mm) of everything drawn; the view is cropped to them.
    const walk = (node, ox, oy, out) => {
      const x = ox + (node.location?.x ?? 0);
      const y = oy + (node.location?.y ?? 0);
      out.push({ node, x, y });
      for (const c of node.children ?? []) walk(c, x, y, out);
    };
    const all = [];
    for (const c of deck.children ?? []) walk(c, 0, 0, all);
    for (const { node, x, y } of all) if (DRAWN.has(node.category) && node.sizeX > 0 && node.sizeY > 0 && x >= 0) boxes.push([x, y, x + node.sizeX, y + node.sizeY]);
    const pad = 12;
    const minX = boxes.length ? Math.min(...boxes.map((b) => b[0])) - pad : 0;
    const minY = boxes.length ? Math.min(...boxes.map((b) => b[1])) - pad : 0;
    const maxX = boxes.length ? Math.max(...boxes.map((b) => b[2])) + pad : deck.sizeX;
    const maxY = boxes.length ? Math.max(...boxes.map((b) => b[3])) + pad : deck.sizeY;
    // Deck y points to the back of the machine: flip it so the back is at the top of the drawing.
    const flipY = (y, h) => round(maxY + minY - y - h);
    const svg = el('svg', {
      class: 'deck',
      viewBox: `${round(minX)} ${round(minY)} ${round(maxX - minX)} ${round(maxY - minY)}`,
      role: 'img',
      'aria-label': `deck ${deck.name}`,
      'data-deck': deck.name,
    });
    el('rect', { class: 'deck-bed', x: round(minX), y: round(minY), width: round(maxX - minX), height: round(maxY - minY) }, svg);
    for (const { node, x, y } of all) {
      if (x < 0 || !(node.sizeX > 0) || !(node.sizeY > 0)) continue;
      const box = { x: round(x), y: flipY(y, node.sizeY), width: round(node.sizeX), height: round(node.sizeY) };
      if (node.category === 'tip_spot') {
        const state = this.resources[node.name];
        const c = el('circle', { cx: round(box.x + box.width / 2), cy: round(box.y + box.height / 2), r: round(Math.min(box.width, box.height) * 0.38), 'data-resource': node.name }, svg);
        el('title', {}, c);
        this.elements.set(node.name, { el: c, node });
        this.paint(node.name, state);
      } else if (node.category === 'well' || (node.maxVolume !== undefined && !DRAWN.has(node.category))) {
        const c = el('rect', { ...box, rx: round(Math.min(box.width, box.height) * 0.25), 'data-resource': node.name, 'data-max-volume': node.maxVolume }, svg);
        el('title', {}, c);
        this.elements.set(node.name, { el: c, node });
        this.paint(node.name, this.resources[node.name]);
      } else if (DRAWN.has(node.category)) {
        const g = el('rect', { ...box, class: `labware ${node.category.replace(/_/g, '-')}`, 'data-resource': node.name }, svg);
        el('title', {}, g).textContent = `${node.name} (${node.model ?? node.type})`;
        if (node.category === 'trough' || node.maxVolume !== undefined) {
          this.elements.set(node.name, { el: g, node });
          this.paint(node.name, this.resources[node.name]);
        }
        if (!node.category.endsWith('carrier')) {
          const label = el('text', { x: box.x + 1, y: box.y - 1.5, class: 'label' }, svg);
          label.textContent = node.name;
        }
      }
    }
    this.container.replaceChildren(svg);
    this.svg = svg;
  }

  /** Sets one element's attributes from its state: what the page shows and what tests read. */
  paint(name, state) {
    const hit = this.elements.get(name);
    if (!hit) return;
    const { el: e, node } = hit;
    const title = e.querySelector('title');
    if (node.category === 'tip_spot') {
      const has = state ? state.hasTip === true : false;
      e.setAttribute('data-has-tip', String(has));
      e.setAttribute('class', has ? 'tip' : 'tip empty');
      if (title) title.textContent = `${name}: ${has ? 'tip' : 'no tip'}`;
    } else {
      const volume = typeof state?.volume === 'number' ? state.volume : 0;
      e.setAttribute('data-volume', String(round(volume)));
      e.setAttribute('fill', volumeColour(volume, node.maxVolume ?? 0));
      if (!e.getAttribute('class')?.startsWith('labware')) e.setAttribute('class', 'well');
      if (title) title.textContent = `${name}: ${round(volume)} µL${node.maxVolume ? ` of ${node.maxVolume}` : ''}`;
    }
  }
}
