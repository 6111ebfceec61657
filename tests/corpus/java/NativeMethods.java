package com.example.jni;

public class Native {
    static {
        System.loadLibrary("native");
    }

    public static native long now();

    public static native void sleep(long millis);
}
