const items = [1, 2, 3];

items.forEach(function (item) {
  console.log(item);
});

module.exports.format = function (value) {
  throw new Error("Not implemented");
};

export const handlers = items.map((item) => {
  // TODO
});
