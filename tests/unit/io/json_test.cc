#include <catch2/catch.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "io/builder.h"
#include "io/json.h"

using namespace wf::io;

namespace {

JsonDoc parse(const std::string& text) {
  JsonDoc d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

// Counts the pieces a sink receives.
class CountingSink final : public Sink {
 public:
  void write(std::string_view text) override {
    ++pieces;
    all.append(text);
  }
  int pieces = 0;
  std::string all;
};

}  // namespace

TEST_CASE("the document layout: mappings indented, each item of a list on its own line") {
  auto d = parse(R"({"a":1,"b":{"c":[1,2]},"tasks":[{"id":"x","needs":["y"]},{"id":"y"}],"e":{},"f":[],"g":[[1,2],[]]})");
  CHECK(to_json(d) ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": {\n"
        "    \"c\": [\n"
        "      1,\n"
        "      2\n"
        "    ]\n"
        "  },\n"
        "  \"tasks\": [\n"
        "    {\"id\":\"x\",\"needs\":[\"y\"]},\n"
        "    {\"id\":\"y\"}\n"
        "  ],\n"
        "  \"e\": {},\n"
        "  \"f\": [],\n"
        "  \"g\": [\n"
        "    [1,2],\n"
        "    []\n"
        "  ]\n"
        "}\n");
  CHECK(to_json(d, false) ==
        R"({"a":1,"b":{"c":[1,2]},"tasks":[{"id":"x","needs":["y"]},{"id":"y"}],"e":{},"f":[],"g":[[1,2],[]]})"
        "\n");
}

TEST_CASE("strings are escaped and numbers printed as RapidJSON does") {
  JsonDoc d;
  auto& a = d.GetAllocator();
  d.SetArray();
  d.PushBack(str("quote \" backslash \\ slash / tab \t nl \n cr \r ff \f bs \b bell \x07 del \x7f é ✓", a), a);
  d.PushBack(Json(0.1), a);
  d.PushBack(Json(1e21), a);
  d.PushBack(Json(-2.5e-7), a);
  d.PushBack(Json(int64_t{-9007199254740993}), a);
  d.PushBack(Json(uint64_t{18446744073709551615u}), a);
  d.PushBack(Json(3.0), a);
  d.PushBack(Json(std::numeric_limits<double>::infinity()), a);
  CHECK(to_json(d, false) ==
        "[\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r ff \\f bs \\b bell \\u0007 del \x7f é ✓\","
        "0.1,1e21,-2.5e-7,-9007199254740993,18446744073709551615,3.0,null]\n");
  // Byte for byte what RapidJSON's own writer produces (infinity aside, which it refuses), and it
  // reads back as the same tree.
  d.PopBack();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  d.Accept(writer);
  CHECK(to_json(d, false) == std::string(buffer.GetString()) + "\n");
  auto back = parse(to_json(d));
  CHECK(back == d);
}

TEST_CASE("write_json streams big values in chunks that add up to to_json") {
  JsonDoc d;
  auto& a = d.GetAllocator();
  d.SetObject();
  Json tasks(rapidjson::kArrayType);
  for (int i = 0; i < 20000; ++i) {
    Json t(rapidjson::kObjectType);
    t.AddMember("id", str("task-" + std::to_string(i), a), a);
    tasks.PushBack(t, a);
  }
  d.AddMember("tasks", tasks, a);
  CountingSink sink;
  write_json(d, sink);
  CHECK(sink.pieces > 3);
  CHECK(sink.all == to_json(d));
}

TEST_CASE("Builder sizes every mapping and list exactly and copies values deeply") {
  JsonDoc d;
  auto source = parse(R"({"k":[1,-2,3.5,"s",true,false,null,{"x":{}}],"big":18446744073709551615})");
  Json v = build(d.GetAllocator(), [&](Builder& b) {
    b.begin_object();
    b.key("name");
    b.string("wf");
    b.key("n");
    b.number(3.0);
    b.key("half");
    b.number(0.5);
    b.key("nan");
    b.number(std::nan(""));
    b.key("u");
    b.uint(7);
    b.key("i");
    b.integer(-7);
    b.key_copy(std::string("copied"));
    b.value(source);
    b.key("list");
    b.begin_array();
    for (int i = 0; i < 3; ++i) b.boolean(i % 2 == 0);
    b.null();
    b.end_array();
    b.end_object();
  });
  CHECK(to_json(v, false) ==
        R"({"name":"wf","n":3,"half":0.5,"nan":null,"u":7,"i":-7,"copied":{"k":[1,-2,3.5,"s",true,false,null,{"x":{}}],"big":18446744073709551615},"list":[true,false,true,null]})"
        "\n");
  CHECK(v["list"].Capacity() == 4);
}
