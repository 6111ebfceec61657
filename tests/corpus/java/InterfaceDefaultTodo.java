package com.example.store;

public interface Store<K, V> {
    V get(K key);

    default void evict(K key) {
        throw new UnsupportedOperationException("TODO");
    }

    default int size() {
        throw new UnsupportedOperationException("size() is not supported by remote stores");
    }
}
