export function render(state) {
  // TODO: render the state as an HTML table
}

export function clear(node) {
  node.innerHTML = '';
}
