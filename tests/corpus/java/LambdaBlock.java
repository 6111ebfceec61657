package com.example.jobs;

import java.util.function.Function;

public class Jobs {
    private final Runnable cleanup = () -> {
        throw new UnsupportedOperationException("cleanup");
    };

    private final Function<String, Integer> parse = text -> Integer.parseInt(text);
}
