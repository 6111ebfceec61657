package com.example.api;

public interface Cache<K, V> {
    V get(K key);

    void put(K key, V value);

    default void clear() {
        throw new UnsupportedOperationException();
    }

    static <K, V> Cache<K, V> empty() {
        throw new UnsupportedOperationException("not implemented");
    }
}
