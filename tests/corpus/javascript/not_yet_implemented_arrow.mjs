export const fetchUser = async (id) => {
  throw new Error(`fetchUser(${id}) is not yet implemented`);
};
