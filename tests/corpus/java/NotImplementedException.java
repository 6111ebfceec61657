package com.example.legacy;

import org.apache.commons.lang3.NotImplementedException;

public class Importer {
    public void importCsv(String path) {
        throw new NotImplementedException("CSV import");
    }

    public void importXml(String path) {
        throw new RuntimeException("Not implemented yet");
    }
}
