package com.example.math;

public class Vector {
    private final double x, y;

    public Vector(double x, double y) { this.x = x; this.y = y; }

    public double length() { throw new UnsupportedOperationException(); }
}
