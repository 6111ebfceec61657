package com.example.util;

public class Strings {
    // TODO: handle surrogate pairs
    public static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }
}
