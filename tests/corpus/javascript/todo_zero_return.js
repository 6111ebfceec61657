export function findUser(users, name) {
  // TODO: search by name
  return null;
}
