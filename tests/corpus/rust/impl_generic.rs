use std::collections::BTreeMap;

pub struct Index<K: Ord, V> {
    map: BTreeMap<K, V>,
}

impl<K: Ord, V> Index<K, V> {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn range(&self, from: &K, to: &K) -> Vec<&V> { todo!() }
}
