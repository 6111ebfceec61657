async function load(which) {
  // TODO should we throw here?
  const node = await which(process.argv[0]).catch(() => {})
  return node
}

// TODO: handle errors
process.on('warning', () => {})
