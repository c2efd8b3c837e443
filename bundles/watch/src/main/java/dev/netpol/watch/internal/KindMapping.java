package dev.netpol.watch.internal;

import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.HandlerInstantiator;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;
import com.fasterxml.jackson.databind.jsontype.TypeResolverBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The client's serialization, and which kinds it reads as which class: the informers' own types
 * ({@link #register}, by {@link SharedInformers}) and the {@link Status} of an error event; any
 * other kind is read generically and converted to the informer's type. Strings are shared ({@link
 * SharedStrings}): the informers' caches are most of a node agent's heap.
 *
 * <p>fabric8 would map every kind its model bundles list, searched through class loaders, so that a
 * watch event of a Pod is read as fabric8's whole Pod model even for a {@link
 * dev.netpol.watch.Partial} pod informer (about 400 classes loaded and introspected on a node).
 * Under OSGi it does so whatever the serialization says: the client bundle carries a copy of the
 * by-kind deserializer of its own, while the models' {@code @JsonDeserialize} names model-core's,
 * which Jackson then creates with that default mapping. This class hands Jackson one instance of
 * the annotations' deserializer that knows the registered kinds only.
 */
final class KindMapping {
  private final Class<?> annotated =
      KubernetesResource.class.getAnnotation(JsonDeserialize.class).using();
  private final JsonDeserializer<?> byKind;
  private final KubernetesSerialization serialization;

  KindMapping() {
    try {
      byKind = (JsonDeserializer<?>) annotated.getConstructor(boolean.class).newInstance(false);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8's " + annotated.getName() + " changed", e);
    }
    ObjectMapper mapper = new ObjectMapper().registerModule(new SharedStrings());
    // fabric8 wraps this instantiator and answers for its own copy first
    mapper.setHandlerInstantiator(new Instantiator());
    serialization = new KubernetesSerialization(mapper, false);
    register(Status.class);
  }

  KubernetesSerialization serialization() {
    return serialization;
  }

  /** Watch events of {@code type}'s kind are read as {@code type}. */
  void register(Class<? extends KubernetesResource> type) {
    serialization.registerKubernetesResource(type);
    try {
      annotated.getMethod("registerKubernetesResource", Class.class).invoke(byKind, type);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8's " + annotated.getName() + " changed", e);
    }
  }

  private final class Instantiator extends HandlerInstantiator {
    @Override
    public JsonDeserializer<?> deserializerInstance(
        DeserializationConfig config, Annotated a, Class<?> deserClass) {
      return deserClass == annotated ? byKind : null;
    }

    @Override
    public KeyDeserializer keyDeserializerInstance(
        DeserializationConfig config, Annotated a, Class<?> keyDeserClass) {
      return null;
    }

    @Override
    public JsonSerializer<?> serializerInstance(
        SerializationConfig config, Annotated a, Class<?> serClass) {
      return null;
    }

    @Override
    public TypeResolverBuilder<?> typeResolverBuilderInstance(
        MapperConfig<?> config, Annotated a, Class<?> builderClass) {
      return null;
    }

    @Override
    public TypeIdResolver typeIdResolverInstance(
        MapperConfig<?> config, Annotated a, Class<?> resolverClass) {
      return null;
    }
  }
}
