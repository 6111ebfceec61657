package com.example.shapes;

public abstract class Shape {
    public abstract double area();

    protected abstract String name();

    public String describe() {
        return name() + ": " + area();
    }
}
