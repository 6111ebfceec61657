export function otodoke(parcel) {
  // OTODOKE: the delivery service handles this
}

export function todoList() {
  // todos are rendered by the list component
}
