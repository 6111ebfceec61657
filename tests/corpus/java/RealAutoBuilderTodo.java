package com.google.auto.value.processor;

class AutoBuilderProcessor extends AutoValueishProcessor {
  @Override
  Optional<String> nullableAnnotationForMethod(ExecutableElement propertyMethod) {
    // TODO(b/183005059): implement
    return Optional.empty();
  }
}
