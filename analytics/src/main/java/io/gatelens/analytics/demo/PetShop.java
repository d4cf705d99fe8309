package io.gatelens.analytics.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The state and rules of the demo pet shop, one method per operation of
 * {@code openapi-specs/gatelens-demo.yaml}; {@link DemoApi} puts HTTP around it. Pets and orders live
 * in memory, the oldest evicted past a bound so a demo left running for days stays small. Thread-safe
 * (one lock: the demo serves tens of requests a second).
 */
final class PetShop {
    /** In a fixed order, so the seeded pets are the same on every run. */
    private static final List<String> SPECIES_IN_ORDER = List.of("dog", "cat", "bird", "fish", "rabbit");
    static final Set<String> SPECIES = Set.copyOf(SPECIES_IN_ORDER);
    static final Set<String> PET_STATUSES = Set.of("available", "pending", "sold");
    static final Set<String> REPORTS = Set.of("sales-daily", "sales-weekly", "inventory");
    static final int INITIAL_PETS = 50;
    private static final int MAX_PETS = 5_000;
    private static final int MAX_ORDERS = 5_000;
    private static final int MAX_ECHOED_CHARS = 80;
    private static final String[] NAMES = {"Rex", "Luna", "Milo", "Bella", "Charlie", "Nala", "Oscar", "Kiwi",
        "Pepper", "Biscuit", "Shadow", "Coco", "Ziggy", "Maple", "Toffee", "Juniper"};
    private static final String[] TAGS = {"friendly", "vaccinated", "young", "senior", "trained", "rescue"};
    /** An order is placed, approved after this long, delivered after twice this: cancelling then conflicts. */
    private static final long ORDER_STEP_NANOS = 3_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    record Pet(long id, String name, String species, double price, String status, List<String> tags) {
    }

    record Order(long id, long petId, int quantity, double total, long placedNanos) {
        /** The order's status follows its age, as if a warehouse worked through it. */
        String status(long nowNanos) {
            long age = nowNanos - placedNanos;
            return age < ORDER_STEP_NANOS ? "placed" : age < 2 * ORDER_STEP_NANOS ? "approved" : "delivered";
        }
    }

    /** What an operation answers: status, content type and body ({@code null} for none). */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply json(int status, Object value) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("demo values are plain records and maps", e);
            }
        }

        static Reply error(int status, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", status);
            body.put("message", message);
            return json(status, body);
        }

        static Reply noContent() {
            return new Reply(204, null, null, Map.of());
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, contentType, body, Map.copyOf(h));
        }
    }

    private final Map<Long, Pet> pets = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Pet> eldest) {
            return size() > MAX_PETS;
        }
    };
    private final Map<Long, Order> orders = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Order> eldest) {
            return size() > MAX_ORDERS;
        }
    };
    private long nextPetId = 1;
    private long nextOrderId = 1;

    /** A shop with {@link #INITIAL_PETS} pets, ids 1 to 50, drawn from {@code seed}. */
    PetShop(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < INITIAL_PETS; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            String species = SPECIES_IN_ORDER.get(random.nextInt(SPECIES_IN_ORDER.size()));
            double p = random.nextDouble();
            String status = p < 0.8 ? "available" : p < 0.9 ? "pending" : "sold";
            List<String> tags = List.of(TAGS[random.nextInt(TAGS.length)], TAGS[random.nextInt(TAGS.length)]);
            long id = nextPetId++;
            pets.put(id, new Pet(id, name, species, Math.round(20 + random.nextDouble() * 480) + 0.99, status, tags));
        }
    }

    synchronized Reply listPets(Map<String, String> query) {
        int limit;
        try {
            limit = Integer.parseInt(query.getOrDefault("limit", "20"));
        } catch (NumberFormatException e) {
            return Reply.error(400, "limit must be an integer");
        }
        if (limit < 1 || limit > 100) {
            return Reply.error(400, "limit must be between 1 and 100, got " + limit);
        }
        String species = query.get("species");
        if (species != null && !SPECIES.contains(species)) {
            return Reply.error(400, "unknown species '" + clip(species) + "'");
        }
        String status = query.get("status");
        if (status != null && !PET_STATUSES.contains(status)) {
            return Reply.error(400, "unknown status '" + clip(status) + "'");
        }
        List<Pet> page = new ArrayList<>();
        for (Pet pet : pets.values()) {
            if ((species == null || species.equals(pet.species())) && (status == null || status.equals(pet.status()))) {
                page.add(pet);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return Reply.json(200, page);
    }

    synchronized Reply searchPets(Map<String, String> query) {
        String q = query.get("q");
        if (q == null || q.isBlank()) {
            return Reply.error(400, "query parameter q is required");
        }
        String needle = q.toLowerCase(Locale.ROOT);
        List<Pet> found = new ArrayList<>();
        for (Pet pet : pets.values()) {
            if (pet.name().toLowerCase(Locale.ROOT).contains(needle) || pet.tags().contains(needle)) {
                found.add(pet);
                if (found.size() == 20) {
                    break;
                }
            }
        }
        return Reply.json(200, found);
    }

    synchronized Reply createPet(byte[] body) {
        JsonNode json = parse(body);
        String invalid = invalidPet(json);
        if (invalid != null) {
            return Reply.error(400, invalid);
        }
        long id = nextPetId++;
        Pet pet = petFrom(id, json, "available");
        pets.put(id, pet);
        return Reply.json(201, pet).withHeader("Location", DemoApi.BASE_PATH + "/pets/" + id);
    }

    synchronized Reply getPet(String petId) {
        long id = parseId(petId);
        if (id < 0) {
            return Reply.error(400, "petId must be a positive integer, got '" + clip(petId) + "'");
        }
        Pet pet = pets.get(id);
        return pet == null ? Reply.error(404, "no pet " + id) : Reply.json(200, pet);
    }

    synchronized Reply updatePet(String petId, byte[] body) {
        long id = parseId(petId);
        if (id < 0) {
            return Reply.error(400, "petId must be a positive integer, got '" + clip(petId) + "'");
        }
        Pet old = pets.get(id);
        if (old == null) {
            return Reply.error(404, "no pet " + id);
        }
        JsonNode json = parse(body);
        String invalid = invalidPet(json);
        if (invalid != null) {
            return Reply.error(400, invalid);
        }
        Pet pet = petFrom(id, json, old.status());
        pets.put(id, pet);
        return Reply.json(200, pet);
    }

    synchronized Reply deletePet(String petId) {
        long id = parseId(petId);
        if (id < 0) {
            return Reply.error(400, "petId must be a positive integer, got '" + clip(petId) + "'");
        }
        return pets.remove(id) == null ? Reply.error(404, "no pet " + id) : Reply.noContent();
    }

    synchronized Reply getInventory() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : List.of("available", "pending", "sold")) {
            counts.put(s, 0);
        }
        for (Pet pet : pets.values()) {
            counts.merge(pet.status(), 1, Integer::sum);
        }
        return Reply.json(200, counts);
    }

    synchronized Reply placeOrder(byte[] body, long nowNanos) {
        JsonNode json = parse(body);
        if (json == null || !json.path("petId").canConvertToLong() || !json.path("quantity").canConvertToInt()) {
            return Reply.error(400, "expected {\"petId\": integer, \"quantity\": integer}");
        }
        int quantity = json.get("quantity").asInt();
        if (quantity < 1 || quantity > 10) {
            return Reply.error(400, "quantity must be between 1 and 10, got " + quantity);
        }
        long petId = json.get("petId").asLong();
        Pet pet = pets.get(petId);
        if (pet == null) {
            return Reply.error(400, "no pet " + petId);
        }
        if (pet.status().equals("sold")) {
            return Reply.error(409, "pet " + petId + " is sold");
        }
        long id = nextOrderId++;
        Order order = new Order(id, petId, quantity, Math.round(pet.price() * quantity * 100) / 100.0, nowNanos);
        orders.put(id, order);
        return Reply.json(201, view(order, nowNanos)).withHeader("Location", DemoApi.BASE_PATH + "/store/orders/" + id);
    }

    synchronized Reply getOrder(String orderId, long nowNanos) {
        long id = parseId(orderId);
        if (id < 0) {
            return Reply.error(400, "orderId must be a positive integer, got '" + clip(orderId) + "'");
        }
        Order order = orders.get(id);
        return order == null ? Reply.error(404, "no order " + id) : Reply.json(200, view(order, nowNanos));
    }

    synchronized Reply cancelOrder(String orderId, long nowNanos) {
        long id = parseId(orderId);
        if (id < 0) {
            return Reply.error(400, "orderId must be a positive integer, got '" + clip(orderId) + "'");
        }
        Order order = orders.get(id);
        if (order == null) {
            return Reply.error(404, "no order " + id);
        }
        if (order.status(nowNanos).equals("delivered")) {
            return Reply.error(409, "order " + id + " was delivered");
        }
        orders.remove(id);
        return Reply.noContent();
    }

    synchronized Reply getReport(String reportName, String format, long nowNanos) {
        if (!REPORTS.contains(reportName)) {
            return Reply.error(404, "no report '" + clip(reportName) + "'");
        }
        if (!format.equals("json") && !format.equals("csv")) {
            return Reply.error(400, "format must be json or csv, got '" + clip(format) + "'");
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        if (reportName.equals("inventory")) {
            for (Pet pet : pets.values()) {
                rows.merge(pet.species(), 1L, Long::sum);
            }
        } else {
            for (Order order : orders.values()) {
                String key = pets.containsKey(order.petId()) ? pets.get(order.petId()).species() : "unknown";
                rows.merge(key, (long) order.quantity(), Long::sum);
            }
        }
        if (format.equals("json")) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("report", reportName);
            report.put("rows", rows);
            return Reply.json(200, report);
        }
        StringBuilder csv = new StringBuilder(reportName.equals("inventory") ? "species,pets\n" : "species,units\n");
        rows.forEach((k, v) -> csv.append(k).append(',').append(v).append('\n'));
        return new Reply(200, "text/csv", csv.toString().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** How many pets the shop has now. */
    synchronized int petCount() {
        return pets.size();
    }

    private static Map<String, Object> view(Order order, long nowNanos) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", order.id());
        v.put("petId", order.petId());
        v.put("quantity", order.quantity());
        v.put("status", order.status(nowNanos));
        v.put("total", order.total());
        return v;
    }

    private static String invalidPet(JsonNode json) {
        if (json == null || !json.isObject()) {
            return "expected a JSON object with name and species";
        }
        String name = json.path("name").asText("");
        if (name.isBlank() || name.length() > 64) {
            return "name is required, 1 to 64 characters";
        }
        if (!SPECIES.contains(json.path("species").asText())) {
            return "species must be one of dog, cat, bird, fish, rabbit";
        }
        if (json.has("price") && (!json.get("price").isNumber() || json.get("price").asDouble() < 0)) {
            return "price must be a number >= 0";
        }
        if (json.has("status") && !PET_STATUSES.contains(json.get("status").asText())) {
            return "status must be available, pending or sold";
        }
        return null;
    }

    private static Pet petFrom(long id, JsonNode json, String defaultStatus) {
        List<String> tags = new ArrayList<>();
        json.path("tags").forEach(t -> tags.add(t.asText()));
        return new Pet(id, json.get("name").asText(), json.get("species").asText(), json.path("price").asDouble(0),
            json.has("status") ? json.get("status").asText() : defaultStatus, List.copyOf(tags));
    }

    /** The body as JSON; null when it is not JSON. */
    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** A positive decimal id; -1 when the text is not one. */
    static long parseId(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long id = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id == 0 ? -1 : id;
    }

    /** Request text echoed in an error message, shortened: messages stay one short line. */
    private static String clip(String text) {
        return text.length() <= MAX_ECHOED_CHARS ? text : text.substring(0, MAX_ECHOED_CHARS) + "...";
    }
}
