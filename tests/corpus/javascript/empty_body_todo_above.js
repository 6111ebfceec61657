export function slugify(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

// TODO: implement, see slugify
export function unslugify(slug) {}
