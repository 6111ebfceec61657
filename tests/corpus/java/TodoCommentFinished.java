package com.example.net;

public class Client {
    public String fetch(String url) {
        // TODO: add retries
        return HttpUtil.get(url);
    }
}
