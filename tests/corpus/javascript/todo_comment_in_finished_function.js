export function total(cart) {
  // TODO: cache the total
  return cart.items.reduce((sum, item) => sum + item.price, 0);
}
