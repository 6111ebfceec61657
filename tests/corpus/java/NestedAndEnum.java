package com.example.geo;

public class Geometry {
    public static class Circle {
        double radius;

        double area() {
            throw new UnsupportedOperationException();
        }
    }

    public enum Unit {
        METRE, FOOT;

        double toMetres(double value) {
            // TODO
            return 0.0;
        }
    }
}
