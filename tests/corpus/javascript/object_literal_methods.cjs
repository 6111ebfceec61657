const api = {
  get(id) {
    return fetch(`/api/${id}`);
  },
  put(id, body) {
    // TODO send the body as JSON
  },
  remove: function (id) {
    throw new Error('TODO: DELETE request');
  },
};

module.exports.api = api;
