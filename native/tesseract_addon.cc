/*
 * The system's Tesseract library (libtesseract 5, C API) as a Node-API addon: one warm engine per
 * OCR worker process, fed raw pixels (no image encoding, no file), recognising on a libuv thread so
 * the worker's event loop stays free.
 *
 * Why it exists: on the 2-core machines we measure on, WASM Tesseract (tesseract.js-core, SIMD)
 * takes ~1.4x the time of the native library per page with the same model file (docs/engine-choice.md).
 * It is optional: without libtesseract the worker uses the WASM build (src/main/worker/recognize.ts).
 *
 * JS surface (src/main/worker/nativeTesseract.ts wraps it):
 *   interface: number                        ADDON_INTERFACE below; raised when this surface changes
 *   version(): string
 *   open(datapath, languages): engine        throws when the models cannot be loaded
 *   setVariable(engine, name, value): boolean
 *   recognize(engine, pixels, width, height, bytesPerPixel, bytesPerLine, dpi)
 *       : Promise<{ text, wordTexts, wordBoxes, wordConfidences, meanConfidence }>
 *       wordBoxes: Int32Array of left, top, right, bottom per word (page pixels)
 *       width = height = 0: `pixels` is an image file's bytes, decoded by Leptonica
 *   close(engine): void                      also done by the garbage collector
 *
 * C++ only where Tesseract's C API falls short: reading the results (read_page below). Also here:
 * a pixWriteMem that keeps Tesseract's line images unpacked (see its comment). The rest is Node-API
 * and Tesseract's C API.
 */
#include <dlfcn.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include <memory>
#include <string>
#include <vector>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>
#include <tesseract/resultiterator.h>

typedef struct {
  TessBaseAPI *api;
  int busy;
} Engine;

/* What one page gives back: the text as Tesseract's GetUTF8Text writes it, and its words. */
struct PageText {
  std::string text;
  std::vector<std::string> word_texts;
  std::vector<int32_t> word_boxes; /* left, top, right, bottom per word */
  std::vector<double> word_confidences;
};

struct Job {
  Engine *engine;
  napi_ref engine_ref;
  napi_ref pixels_ref;
  const unsigned char *pixels;
  size_t length;
  int encoded; /* pixels holds an image file (PNG, JPEG, TIFF, PNM...) for Leptonica to decode */
  int width, height, bytes_per_pixel, bytes_per_line, dpi;
  napi_deferred deferred;
  napi_async_work work;
  int failed;
  PageText page;
  int mean_confidence;
};

#define CHECK(env, call)                                                    \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), NULL, "bulk-ocr tesseract addon: " #call);    \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static void engine_end(Engine *engine) {
  if (engine->api) {
    TessBaseAPIEnd(engine->api);
    TessBaseAPIDelete(engine->api);
    engine->api = NULL;
  }
}

static void finalize_engine(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Engine *engine = (Engine *)data;
  engine_end(engine);
  free(engine);
}

static char *string_arg(napi_env env, napi_value value) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *buffer = (char *)malloc(length + 1);
  if (!buffer) return NULL;
  napi_get_value_string_utf8(env, value, buffer, length + 1, &length);
  return buffer;
}

static Engine *engine_arg(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return (Engine *)data;
}

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(env, napi_create_string_utf8(env, TessVersion(), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value open_engine(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *datapath = argc == 2 ? string_arg(env, argv[0]) : NULL;
  char *languages = argc == 2 ? string_arg(env, argv[1]) : NULL;
  if (!datapath || !languages) {
    free(datapath);
    free(languages);
    napi_throw_type_error(env, NULL, "open(datapath, languages) takes two strings");
    return NULL;
  }
  /* Reasons reach JS through our own errors; Leptonica's and Tesseract's messages on stderr would
   * land in the middle of the CLI's progress display. */
  setMsgSeverity(L_SEVERITY_NONE);
  Engine *engine = (Engine *)calloc(1, sizeof(Engine));
  engine->api = TessBaseAPICreate();
  TessBaseAPISetVariable(engine->api, "debug_file", "/dev/null");
  int status = TessBaseAPIInit2(engine->api, datapath, languages, tesseract::OEM_LSTM_ONLY);
  free(datapath);
  free(languages);
  if (status != 0) {
    engine_end(engine);
    free(engine);
    napi_throw_error(env, "OCR_LANGUAGE", "Tesseract could not load the language models");
    return NULL;
  }
  napi_value result;
  CHECK(env, napi_create_external(env, engine, finalize_engine, NULL, &result));
  return result;
}

static napi_value set_variable(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Engine *engine = argc == 3 ? engine_arg(env, argv[0]) : NULL;
  if (!engine || !engine->api) {
    napi_throw_error(env, NULL, "setVariable: not an open engine");
    return NULL;
  }
  char *name = string_arg(env, argv[1]);
  char *value = string_arg(env, argv[2]);
  int ok = name && value && TessBaseAPISetVariable(engine->api, name, value);
  free(name);
  free(value);
  napi_value result;
  CHECK(env, napi_get_boolean(env, ok, &result));
  return result;
}

static napi_value close_engine(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Engine *engine = argc == 1 ? engine_arg(env, argv[0]) : NULL;
  if (engine && !engine->busy) engine_end(engine);
  return NULL;
}

/*
 * Tesseract 5 keeps every text line it hands to the LSTM as a PNG in memory
 * (ImageData::SetPixInternal) and decodes it again a moment later; on a 300-DPI page that zlib work
 * is ~5% of the page's CPU. The line never leaves the process, so Leptonica's own uncompressed
 * serialisation (which pixReadMem reads back just the same, bit for bit) does the job. Defining
 * pixWriteMem here takes the calls of the libtesseract this addon loads (its symbols are looked up
 * in the addon first); every other format goes on to Leptonica's.
 */
extern "C" __attribute__((visibility("default"))) l_ok pixWriteMem(l_uint8 **pdata, size_t *psize,
                                                                    PIX *pix, l_int32 format) {
  using WriteMem = l_ok (*)(l_uint8 **, size_t *, PIX *, l_int32);
  static WriteMem leptonica = (WriteMem)dlsym(RTLD_NEXT, "pixWriteMem");
  if (format == IFF_PNG) return pixSerializeToMemory(pix, (l_uint32 **)pdata, psize);
  if (!leptonica) return 1;
  return leptonica(pdata, psize, pix, format);
}

static void take_text(std::string *into, char *text) {
  if (text) *into += text;
  delete[] text;
}

static void add_word(PageText *page, const tesseract::LTRResultIterator &it, std::string text) {
  int left, top, right, bottom;
  it.BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom);
  page->word_boxes.insert(page->word_boxes.end(), {left, top, right, bottom});
  page->word_confidences.push_back(it.Confidence(tesseract::RIL_WORD));
  page->word_texts.push_back(std::move(text));
}

/*
 * Left to right: text and words as GetUTF8Text and GetTSVText give them, without their cost.
 *
 * Those two walk a ResultIterator, which works out each line's right-to-left reading order again
 * at every word by walking the line from its start: ~6% of a dense page's CPU. On a page with no
 * right-to-left word the reading order is the stored one, so this walks the same results as an
 * LTRResultIterator (no reordering). Text: words joined by a space, a newline after each line, an
 * empty line after each paragraph, image and rule blocks left out. Words: GetTSVText's level 5.
 */
static void read_left_to_right(tesseract::LTRResultIterator &it, PageText *page) {
  it.Begin();
  if (!it.Empty(tesseract::RIL_BLOCK)) {
    do {
      if (it.Empty(tesseract::RIL_PARA)) continue;
      switch (it.BlockType()) {
        case tesseract::PT_FLOWING_IMAGE:
        case tesseract::PT_HEADING_IMAGE:
        case tesseract::PT_PULLOUT_IMAGE:
        case tesseract::PT_HORZ_LINE:
        case tesseract::PT_VERT_LINE:
          continue;
        default:
          break;
      }
      take_text(&page->text, it.GetUTF8Text(tesseract::RIL_PARA));
    } while (it.Next(tesseract::RIL_PARA));
  }
  it.Begin();
  while (!it.Empty(tesseract::RIL_BLOCK)) {
    if (it.Empty(tesseract::RIL_WORD)) {
      it.Next(tesseract::RIL_WORD);
      continue;
    }
    std::string word;
    take_text(&word, it.GetUTF8Text(tesseract::RIL_WORD));
    add_word(page, it, std::move(word));
    it.Next(tesseract::RIL_WORD);
  }
}

/*
 * With right-to-left words: Tesseract's own walks. The text is GetUTF8Text's; the words are
 * GetTSVText's loop (each word in reading order, its letters symbol by symbol in reading order).
 */
static void read_in_reading_order(TessBaseAPI *api, tesseract::ResultIterator &it, PageText *page) {
  take_text(&page->text, api->GetUTF8Text());
  while (!it.Empty(tesseract::RIL_BLOCK)) {
    if (it.Empty(tesseract::RIL_WORD)) {
      it.Next(tesseract::RIL_WORD);
      continue;
    }
    std::string word;
    const tesseract::LTRResultIterator at_word(it);
    do {
      take_text(&word, it.GetUTF8Text(tesseract::RIL_SYMBOL));
      it.Next(tesseract::RIL_SYMBOL);
    } while (!it.Empty(tesseract::RIL_BLOCK) && !it.IsAtBeginningOf(tesseract::RIL_WORD));
    add_word(page, at_word, std::move(word));
  }
}

/* The page's text and words: left to right when no word reads the other way (the fast walk). */
static void read_page(TessBaseAPI *api, PageText *page) {
  std::unique_ptr<tesseract::ResultIterator> reading_order(api->GetIterator());
  if (!reading_order) return;
  tesseract::LTRResultIterator stored_order(*reading_order);
  stored_order.Begin();
  if (!stored_order.Empty(tesseract::RIL_BLOCK)) {
    do {
      tesseract::StrongScriptDirection direction = stored_order.WordDirection();
      if (direction == tesseract::DIR_RIGHT_TO_LEFT || direction == tesseract::DIR_MIX) {
        read_in_reading_order(api, *reading_order, page);
        return;
      }
    } while (stored_order.Next(tesseract::RIL_WORD));
  }
  read_left_to_right(stored_order, page);
}

/* Runs on a libuv thread: touches only the Tesseract handle and the pinned pixels. */
static void execute_recognize(napi_env env, void *data) {
  (void)env;
  Job *job = (Job *)data;
  TessBaseAPI *api = job->engine->api;
  PIX *pix = NULL;
  if (job->encoded) {
    pix = pixReadMem(job->pixels, job->length);
    if (!pix) {
      job->failed = 1;
      return;
    }
    TessBaseAPISetImage2(api, pix);
  } else {
    TessBaseAPISetImage(api, job->pixels, job->width, job->height, job->bytes_per_pixel,
                        job->bytes_per_line);
  }
  if (job->dpi > 0) TessBaseAPISetSourceResolution(api, job->dpi);
  if (TessBaseAPIRecognize(api, NULL) != 0) {
    job->failed = 1;
    TessBaseAPIClear(api);
    pixDestroy(&pix);
    return;
  }
  read_page(api, &job->page);
  job->mean_confidence = TessBaseAPIMeanTextConf(api);
  /* The image and the page's results are not needed any more: give the memory back now. */
  TessBaseAPIClear(api);
  pixDestroy(&pix);
}

static void set_string(napi_env env, napi_value object, const char *key, const std::string &value) {
  napi_value v;
  napi_create_string_utf8(env, value.data(), value.size(), &v);
  napi_set_named_property(env, object, key, v);
}

/* A typed array holding a copy of `values` (T: int32_t or double). */
template <typename T>
static void set_numbers(napi_env env, napi_value object, const char *key, const std::vector<T> &values,
                        napi_typedarray_type type) {
  void *bytes = NULL;
  napi_value buffer, array;
  napi_create_arraybuffer(env, values.size() * sizeof(T), &bytes, &buffer);
  if (!values.empty()) memcpy(bytes, values.data(), values.size() * sizeof(T));
  napi_create_typedarray(env, type, values.size(), buffer, 0, &array);
  napi_set_named_property(env, object, key, array);
}

static void complete_recognize(napi_env env, napi_status status, void *data) {
  Job *job = (Job *)data;
  job->engine->busy = 0;
  if (status != napi_ok || job->failed) {
    napi_value message, error;
    napi_create_string_utf8(env, "Tesseract could not recognise this page", NAPI_AUTO_LENGTH,
                            &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_value result, confidence;
    napi_create_object(env, &result);
    set_string(env, result, "text", job->page.text);
    napi_value texts;
    napi_create_array_with_length(env, job->page.word_texts.size(), &texts);
    for (size_t i = 0; i < job->page.word_texts.size(); i++) {
      napi_value v;
      const std::string &word = job->page.word_texts[i];
      napi_create_string_utf8(env, word.data(), word.size(), &v);
      napi_set_element(env, texts, (uint32_t)i, v);
    }
    napi_set_named_property(env, result, "wordTexts", texts);
    set_numbers(env, result, "wordBoxes", job->page.word_boxes, napi_int32_array);
    set_numbers(env, result, "wordConfidences", job->page.word_confidences, napi_float64_array);
    napi_create_int32(env, job->mean_confidence, &confidence);
    napi_set_named_property(env, result, "meanConfidence", confidence);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_reference(env, job->pixels_ref);
  napi_delete_reference(env, job->engine_ref);
  napi_delete_async_work(env, job->work);
  delete job;
}

static napi_value recognize(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Engine *engine = argc == 7 ? engine_arg(env, argv[0]) : NULL;
  if (!engine || !engine->api) {
    napi_throw_error(env, NULL, "recognize: not an open engine");
    return NULL;
  }
  if (engine->busy) {
    napi_throw_error(env, NULL, "recognize: this engine is already recognising a page");
    return NULL;
  }
  bool is_typed_array = false;
  napi_is_typedarray(env, argv[1], &is_typed_array);
  if (!is_typed_array) {
    napi_throw_type_error(env, NULL, "recognize: pixels must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *pixels;
  CHECK(env, napi_get_typedarray_info(env, argv[1], &type, &length, &pixels, NULL, NULL));
  int numbers[5];
  for (int i = 0; i < 5; i++) CHECK(env, napi_get_value_int32(env, argv[2 + i], &numbers[i]));
  int width = numbers[0], height = numbers[1], bpp = numbers[2], bpl = numbers[3];
  int encoded = width == 0 && height == 0;
  if (type != napi_uint8_array || length == 0 ||
      (!encoded && (width <= 0 || height <= 0 || (bpp != 1 && bpp != 3 && bpp != 4) ||
                    bpl < width * bpp || (size_t)bpl * (size_t)height > length))) {
    napi_throw_range_error(env, NULL, "recognize: the pixel buffer does not match its dimensions");
    return NULL;
  }
  Job *job = new Job();
  job->engine = engine;
  job->pixels = (const unsigned char *)pixels;
  job->length = length;
  job->encoded = encoded;
  job->width = width;
  job->height = height;
  job->bytes_per_pixel = bpp;
  job->bytes_per_line = bpl;
  job->dpi = numbers[4];
  /* Pin the pixels and the engine until the thread is done with them. */
  napi_create_reference(env, argv[1], 1, &job->pixels_ref);
  napi_create_reference(env, argv[0], 1, &job->engine_ref);
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "bulk-ocr:tesseract", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute_recognize, complete_recognize, job, &job->work);
  engine->busy = 1;
  napi_queue_async_work(env, job->work);
  return promise;
}

/* Raised whenever the JS surface changes, so that an addon built from older sources (a checkout
 * updated without `npm ci`) is refused with a reason instead of misread. */
#define ADDON_INTERFACE 2

static napi_value init(napi_env env, napi_value exports) {
  napi_value interface_version;
  napi_create_int32(env, ADDON_INTERFACE, &interface_version);
  napi_property_descriptor properties[] = {
      {"interface", NULL, NULL, NULL, NULL, interface_version, napi_enumerable, NULL},
      {"version", NULL, version, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_engine, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setVariable", NULL, set_variable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recognize", NULL, recognize, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_engine, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(bulk_ocr_tesseract, init)
